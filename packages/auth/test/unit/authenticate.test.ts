import { describe, expect, it, vi } from "vitest";
import { Roles } from "@herald/contracts";
import { UnauthorizedError } from "@herald/platform";
import { canRead, createApiKey, createAuthenticator, credentialOf, generateApiKey, type TokenVerifier } from "../../src/index";
import { MemoryApiKeyStore } from "../../src/memory-api-key-store";

async function anAuthenticator() {
  const apiKeys = new MemoryApiKeyStore();
  const { key, record } = await createApiKey(apiKeys, { principal: "svc:billing", tenant: "acme", roles: [Roles.send, Roles.read] });
  return { authenticate: createAuthenticator({ apiKeys }), apiKeys, key, record };
}

describe("credentialOf", () => {
  it.each([
    ["x-api-key", { "x-api-key": "hk_abc" }, "hk_abc"],
    ["x-api-key with spaces around it", { "x-api-key": "  hk_abc  " }, "hk_abc"],
    ["Authorization: Bearer", { authorization: "Bearer hk_abc" }, "hk_abc"],
    ["a lower-case bearer scheme", { authorization: "bearer hk_abc" }, "hk_abc"],
    ["the same credential in both headers", { "x-api-key": "hk_same", authorization: "Bearer hk_same" }, "hk_same"],
    ["x-api-key next to a non-bearer Authorization", { "x-api-key": "hk_first", authorization: "Basic dXNlcjpwYXNz" }, "hk_first"],
    ["an empty x-api-key next to Authorization", { "x-api-key": " ", authorization: "Bearer hk_second" }, "hk_second"],
  ])("reads %s", (_, headers, expected) => {
    // Prepare
    const reader = new Headers(headers);

    // Act
    const credential = credentialOf(reader);

    // Assess
    expect(credential).toBe(expected);
  });

  it.each([
    ["no header", {}],
    ["the Basic scheme", { authorization: "Basic dXNlcjpwYXNz" }],
    ["a bearer without a token", { authorization: "Bearer " }],
    ["a bearer with two tokens", { authorization: "Bearer hk_a hk_b" }],
  ])("finds no credential in %s", (_, headers) => {
    // Prepare
    const reader = new Headers(headers);

    // Act
    const credential = credentialOf(reader);

    // Assess
    expect(credential).toBeUndefined();
  });
});

describe("credentialOf, refusing ambiguity", () => {
  it("refuses two different credentials instead of preferring one", () => {
    // Prepare
    const reader = new Headers({ "x-api-key": "hk_first", authorization: "Bearer hk_second" });

    // Act
    const attempt = () => credentialOf(reader);

    // Assess
    expect(attempt).toThrow(UnauthorizedError);
  });

  it("reads only Authorization when told to, ignoring x-api-key entirely", () => {
    // Prepare
    const onlyKey = new Headers({ "x-api-key": "hk_first" });
    const both = new Headers({ "x-api-key": "hk_first", authorization: "Bearer hk_second" });

    // Act
    const fromKeyOnly = credentialOf(onlyKey, { authorizationOnly: true });
    const fromBoth = credentialOf(both, { authorizationOnly: true });

    // Assess
    expect(fromKeyOnly).toBeUndefined();
    expect(fromBoth).toBe("hk_second");
  });
});

describe("createAuthenticator", () => {
  it("returns the key's identity for an x-api-key header", async () => {
    // Prepare
    const { authenticate, key } = await anAuthenticator();

    // Act
    const result = await authenticate(new Headers({ "x-api-key": key }));

    // Assess
    expect(result).toEqual({
      identity: { principal: "key:svc:billing", tenant: "acme", roles: [Roles.send, Roles.read] },
      method: "api_key",
      expiresAt: undefined,
    });
  });

  it("returns the key's identity for Authorization: Bearer", async () => {
    // Prepare
    const { authenticate, key } = await anAuthenticator();

    // Act
    const result = await authenticate(new Headers({ authorization: `Bearer ${key}` }));

    // Assess
    expect(result.identity).toEqual({ principal: "key:svc:billing", tenant: "acme", roles: [Roles.send, Roles.read] });
  });

  it("rejects a request without credentials with UnauthorizedError", async () => {
    // Prepare
    const { authenticate } = await anAuthenticator();

    // Act
    const attempt = authenticate(new Headers());

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(attempt).rejects.toMatchObject({ code: "auth.unauthorized", status: 401 });
  });

  it.each([
    ["a truncated key in x-api-key", (key: string) => ({ "x-api-key": key.slice(0, -1) })],
    ["a key with padding in x-api-key", (key: string) => ({ "x-api-key": `${key}=` })],
    ["a key under the Basic scheme", (key: string) => ({ authorization: `Basic ${key}` })],
    ["a bearer token that is not a key", () => ({ authorization: "Bearer not-a-key" })],
  ])("rejects %s with UnauthorizedError without looking it up", async (_, headersFor) => {
    // Prepare
    const { authenticate, apiKeys, key } = await anAuthenticator();
    const lookup = vi.spyOn(apiKeys, "findByHash");

    // Act
    const attempt = authenticate(new Headers(headersFor(key)));

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(UnauthorizedError);
    expect(lookup).not.toHaveBeenCalled();
  });

  it("rejects a well-formed key it does not know with UnauthorizedError", async () => {
    // Prepare
    const { authenticate } = await anAuthenticator();
    const unknown = generateApiKey().key;

    // Act
    const attempt = authenticate(new Headers({ "x-api-key": unknown }));

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it("rejects a revoked key with UnauthorizedError", async () => {
    // Prepare
    const { authenticate, apiKeys, key, record } = await anAuthenticator();
    await apiKeys.revoke(record.key_id, new Date());

    // Act
    const attempt = authenticate(new Headers({ authorization: `Bearer ${key}` }));

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it("does not echo the presented credential in its error", async () => {
    // Prepare
    const { authenticate } = await anAuthenticator();
    const unknown = generateApiKey().key;

    // Act
    const error: unknown = await authenticate(new Headers({ "x-api-key": unknown })).catch((e: unknown) => e);

    // Assess
    if (!(error instanceof UnauthorizedError)) throw new Error("expected an UnauthorizedError");
    expect(error.message).not.toContain(unknown);
    expect(JSON.stringify(error)).not.toContain(unknown);
  });
});

describe("createAuthenticator: API key principals apart from token subjects", () => {
  it("keeps a key created with principal billing apart from the token subject billing of the same tenant", async () => {
    // Prepare
    const apiKeys = new MemoryApiKeyStore();
    const { key } = await createApiKey(apiKeys, { principal: "billing", tenant: "acme", roles: [Roles.send, Roles.read] });
    const verifyToken: TokenVerifier = async () => ({ identity: { principal: "billing", tenant: "acme", roles: [Roles.read] }, expiresAt: undefined });
    const authenticate = createAuthenticator({ apiKeys, verifyToken });

    // Act
    const byKey = await authenticate(new Headers({ "x-api-key": key }));
    const byToken = await authenticate(new Headers({ authorization: "Bearer eyJ.token" }));

    // Assess
    expect(byKey.identity.principal).toBe("key:billing");
    expect(byToken.identity.principal).toBe("billing");
    expect(canRead(byToken.identity, { tenant: "acme", principal: byKey.identity.principal })).toBe(false);
    expect(canRead(byKey.identity, { tenant: "acme", principal: byToken.identity.principal })).toBe(false);
  });

  it("authenticates a key stored with a bare principal (before principals were namespaced) as key:<principal>", async () => {
    // Prepare
    const apiKeys = new MemoryApiKeyStore();
    const { key, hash, keyId } = generateApiKey();
    await apiKeys.put({ key_id: keyId, hash, principal: "billing", tenant: "acme", roles: [Roles.send], created_at: "2026-01-01T00:00:00.000Z" });
    const authenticate = createAuthenticator({ apiKeys });

    // Act
    const result = await authenticate(new Headers({ "x-api-key": key }));

    // Assess
    expect(result.identity).toEqual({ principal: "key:billing", tenant: "acme", roles: [Roles.send] });
  });
});
