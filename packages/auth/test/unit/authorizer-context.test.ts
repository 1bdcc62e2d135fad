import { describe, expect, it } from "vitest";
import { Roles } from "@herald/contracts";
import { UnauthorizedError } from "@herald/platform";
import { identityFromAuthorizerContext, toAuthorizerContext } from "../../src/index";

const NOW = Date.parse("2026-11-23T10:00:00Z");

describe("authorizer context", () => {
  it("round-trips an OAuth identity with its expiry in epoch seconds", () => {
    // Prepare
    const identity = { principal: "alice", tenant: "acme", roles: [Roles.send, Roles.read] };

    // Act
    const context = toAuthorizerContext({ identity, method: "oauth", expiresAt: NOW + 60_500 });
    const back = identityFromAuthorizerContext(context, NOW);

    // Assess
    expect(context).toEqual({ principal: "alice", tenant: "acme", roles: "messages:send messages:read", expires_at: NOW / 1000 + 60 });
    expect(back).toEqual(identity);
  });

  it("gives an API key identity no expiry, and an empty role list stays empty", () => {
    // Act
    const context = toAuthorizerContext({ identity: { principal: "key:1", tenant: "acme", roles: [] }, method: "api_key", expiresAt: undefined });

    // Assess
    expect(context.expires_at).toBe(0);
    expect(identityFromAuthorizerContext(context, NOW + 10 ** 12).roles).toEqual([]);
  });

  it.each([
    ["no context at all", undefined],
    ["a context without a tenant", { principal: "alice", roles: "", expires_at: 0 }],
    ["an empty principal", { principal: "", tenant: "acme", roles: "", expires_at: 0 }],
    ["an expiry that has passed (API Gateway cached the answer too long)", { principal: "a", tenant: "t", roles: "", expires_at: NOW / 1000 - 1 }],
  ])("refuses %s with 401", (_, context) => {
    // Act
    const attempt = () => identityFromAuthorizerContext(context, NOW);

    // Assess
    expect(attempt).toThrow(UnauthorizedError);
  });

  it("drops role names it does not know", () => {
    // Act
    const identity = identityFromAuthorizerContext({ principal: "a", tenant: "t", roles: "admin messages:erase", expires_at: 0 }, NOW);

    // Assess
    expect(identity.roles).toEqual([Roles.erase]);
  });
});
