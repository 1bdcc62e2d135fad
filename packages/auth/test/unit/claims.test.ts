import { describe, expect, it } from "vitest";
import { Roles } from "@herald/contracts";
import { identityFromIntrospection, rolesFrom, type ClaimSettings } from "../../src/index";

const NOW = Date.parse("2026-11-23T10:00:00Z");
const nowSeconds = NOW / 1000;
const settings: ClaimSettings = { issuer: "https://idp.example", audiences: ["herald"], rolesClaim: "scope", tenantClaim: "tenant" };
const active = {
  active: true,
  sub: "alice",
  tenant: "acme",
  scope: "openid messages:send messages:read",
  aud: "herald",
  iss: "https://idp.example",
  exp: nowSeconds + 600,
  token_type: "Bearer",
};

describe("identityFromIntrospection", () => {
  it("gives principal from sub, tenant from its claim, and only Herald's roles from scope", () => {
    // Act
    const verdict = identityFromIntrospection(active, settings, NOW);

    // Assess
    expect(verdict).toEqual({
      ok: true,
      identity: { principal: "alice", tenant: "acme", roles: [Roles.send, Roles.read] },
      expiresAt: (nowSeconds + 600) * 1000,
    });
  });

  it("reads roles from a configured array claim and the tenant from a configured claim", () => {
    // Prepare
    const answer = { ...active, scope: "openid", roles: ["messages:decrypt", "admin"], org: "globex" };

    // Act
    const verdict = identityFromIntrospection(answer, { ...settings, rolesClaim: "roles", tenantClaim: "org" }, NOW);

    // Assess
    expect(verdict).toMatchObject({ ok: true, identity: { tenant: "globex", roles: [Roles.decrypt] } });
  });

  it("takes username when there is no sub", () => {
    // Act
    const verdict = identityFromIntrospection({ ...active, sub: undefined, username: "bob" }, settings, NOW);

    // Assess
    expect(verdict).toMatchObject({ ok: true, identity: { principal: "bob" } });
  });

  it("accepts an audience list that names ours", () => {
    // Act
    const verdict = identityFromIntrospection({ ...active, aud: ["other", "herald"] }, settings, NOW);

    // Assess
    expect(verdict.ok).toBe(true);
  });

  it.each([
    ["inactive", { active: false }, "inactive"],
    ["active as a string", { ...active, active: "true" }, "inactive"],
    ["expired", { ...active, exp: nowSeconds - 1 }, "expired"],
    ["expiring exactly now", { ...active, exp: nowSeconds }, "expired"],
    ["a non-numeric exp", { ...active, exp: "soon" }, "malformed exp"],
    ["not valid for another hour", { ...active, nbf: nowSeconds + 3600 }, "not yet valid"],
    ["a refresh token", { ...active, token_type: "refresh_token" }, "not an access token"],
    ["another issuer", { ...active, iss: "https://evil.example" }, "wrong issuer"],
    ["another audience", { ...active, aud: "billing" }, "wrong audience"],
    ["no audience", { ...active, aud: undefined }, "wrong audience"],
    ["no subject", { ...active, sub: undefined }, "no subject"],
    ["a blank subject", { ...active, sub: "  " }, "no subject"],
    ["an API key's principal as subject", { ...active, sub: "key:0123456789ab" }, "reserved subject"],
    ["no tenant", { ...active, tenant: undefined }, "no tenant"],
    ["a numeric tenant", { ...active, tenant: 42 }, "no tenant"],
    ["a tenant over 100 characters", { ...active, tenant: "t".repeat(101) }, "subject or tenant out of bounds"],
  ])("refuses a token that is %s", (_, answer, reason) => {
    // Act
    const verdict = identityFromIntrospection(answer as never, settings, NOW);

    // Assess
    expect(verdict).toEqual({ ok: false, reason });
  });

  it("checks no issuer when none is configured, and no audience with the * opt-out", () => {
    // Act
    const verdict = identityFromIntrospection({ ...active, iss: "x", aud: "y" }, { ...settings, issuer: undefined, audiences: ["*"] }, NOW);
    const noAud = identityFromIntrospection({ ...active, aud: undefined }, { ...settings, audiences: ["*"] }, NOW);

    // Assess
    expect(verdict.ok).toBe(true);
    expect(noAud.ok).toBe(true);
  });

  it("refuses every token when no audience is configured, rather than accepting tokens minted for other APIs", () => {
    // Act
    const verdict = identityFromIntrospection({ ...active, aud: "billing-api" }, { ...settings, audiences: [] }, NOW);

    // Assess
    expect(verdict).toEqual({ ok: false, reason: "wrong audience" });
  });
});

describe("rolesFrom", () => {
  it.each([
    ["a scope string with extra spaces", "  messages:send\tmessages:erase  openid ", [Roles.send, Roles.erase]],
    ["an array with duplicates and strangers", ["messages:read-all", "messages:read-all", 7, "MESSAGES:SEND"], [Roles.readAll]],
    ["a missing claim", undefined, []],
    ["an object", { role: "messages:send" }, []],
  ])("reads %s", (_, claim, roles) => {
    // Act / Assess
    expect(rolesFrom(claim)).toEqual(roles);
  });
});
