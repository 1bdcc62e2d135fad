import { describe, expect, it } from "vitest";
import { Roles, type Identity, type Role } from "@herald/contracts";
import { ForbiddenError } from "@herald/platform";
import { canDecrypt, canRead, hasRole, readScope, requireRole } from "../../src/index";

function anIdentity(roles: Role[], overrides: Partial<Identity> = {}): Identity {
  return { principal: "key:alice", tenant: "acme", roles, ...overrides };
}

const own = { tenant: "acme", principal: "key:alice" };
const colleagues = { tenant: "acme", principal: "key:bob" };
const otherTenants = { tenant: "globex", principal: "key:alice" };

describe("requireRole", () => {
  it("passes when the identity has the role", () => {
    // Prepare
    const identity = anIdentity([Roles.send, Roles.decrypt]);

    // Act
    const check = () => requireRole(identity, Roles.decrypt);

    // Assess
    expect(check).not.toThrow();
    expect(hasRole(identity, Roles.decrypt)).toBe(true);
  });

  it("throws ForbiddenError naming the role when the identity lacks it", () => {
    // Prepare
    const identity = anIdentity([Roles.send, Roles.readAll]);

    // Act
    const check = () => requireRole(identity, Roles.erase);

    // Assess
    expect(check).toThrow(ForbiddenError);
    expect(check).toThrow(expect.objectContaining({ code: "auth.forbidden", status: 403, message: expect.stringContaining(Roles.erase) }));
  });
});

describe("canRead", () => {
  it.each([
    ["its own message with messages:read", [Roles.read], own, true],
    ["a colleague's message with messages:read", [Roles.read], colleagues, false],
    ["a colleague's message with messages:read-all", [Roles.readAll], colleagues, true],
    ["its own message with messages:read-all", [Roles.readAll], own, true],
    ["another tenant's message with messages:read", [Roles.read], otherTenants, false],
    ["another tenant's message with messages:read-all", [Roles.read, Roles.readAll], otherTenants, false],
    ["its own message without a read role", [Roles.send, Roles.decrypt, Roles.erase], own, false],
  ] as const)("answers for %s", (_, roles, record, expected) => {
    // Prepare
    const identity = anIdentity([...roles]);

    // Act
    const allowed = canRead(identity, record);

    // Assess
    expect(allowed).toBe(expected);
  });
});

describe("readScope", () => {
  it("limits a messages:read caller to its own principal", () => {
    // Prepare
    const identity = anIdentity([Roles.read]);

    // Act
    const scope = readScope(identity);

    // Assess
    expect(scope).toEqual({ principal: "key:alice" });
  });

  it("opens the whole tenant to a messages:read-all caller", () => {
    // Prepare
    const identity = anIdentity([Roles.read, Roles.readAll]);

    // Act
    const scope = readScope(identity);

    // Assess
    expect(scope).toEqual({});
  });

  it("throws ForbiddenError for a caller with no read role", () => {
    // Prepare
    const identity = anIdentity([Roles.send, Roles.decrypt]);

    // Act
    const scope = () => readScope(identity);

    // Assess
    expect(scope).toThrow(ForbiddenError);
    expect(scope).toThrow(Roles.read);
  });
});

describe("canDecrypt", () => {
  it("lets a caller open its own messages without a read role, and the tenant's with read-all", () => {
    // Prepare
    const decryptOnly = anIdentity([Roles.decrypt]);
    const withReadAll = anIdentity([Roles.decrypt, Roles.readAll]);

    // Act & Assess
    expect([canDecrypt(decryptOnly, own), canDecrypt(decryptOnly, colleagues)]).toEqual([true, false]);
    expect([canDecrypt(withReadAll, own), canDecrypt(withReadAll, colleagues)]).toEqual([true, true]);
  });

  it("never opens another tenant's message, whatever the roles and principal", () => {
    // Prepare
    const everything = anIdentity([Roles.send, Roles.read, Roles.readAll, Roles.decrypt, Roles.erase]);

    // Act & Assess
    expect(canDecrypt(everything, otherTenants)).toBe(false);
  });
});
