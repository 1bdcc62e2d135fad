import type { APIGatewayRequestAuthorizerEventV2 } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { createApiKey, createAuthenticator, type TokenVerifier } from "@herald/auth";
import { MemoryApiKeyStore } from "@herald/auth/memory";
import { createTokenVerifier } from "@herald/auth/oauth";
import { Roles } from "@herald/contracts";
import { AppError, createLogger, UnauthorizedError } from "@herald/platform";
import { authorize } from "../../src/domain/authorize";

/**
 * The event API Gateway sends a payload-2.0 authorizer: identitySource holds the Authorization
 * header, or on the legacy /msg routes the X-Api-Key header (their authorizer's identity source).
 */
function anEvent(headers: Record<string, string>, routeKey = "POST /v1/messages"): APIGatewayRequestAuthorizerEventV2 {
  const source = routeKey.endsWith(" /msg") ? headers["x-api-key"] : headers.authorization;
  const [method = "", path = ""] = routeKey.split(" ");
  return {
    version: "2.0",
    type: "REQUEST",
    routeArn: `arn:aws:execute-api:eu-west-1:123456789012:api/$default/${method}${path}`,
    identitySource: source === undefined ? [] : [source],
    routeKey,
    rawPath: path,
    rawQueryString: "",
    headers,
    requestContext: {} as APIGatewayRequestAuthorizerEventV2["requestContext"],
  } as APIGatewayRequestAuthorizerEventV2;
}

async function anAuthorizer(verifyToken?: TokenVerifier) {
  const apiKeys = new MemoryApiKeyStore();
  const { key } = await createApiKey(apiKeys, { principal: "svc:billing", tenant: "acme", roles: [Roles.send, Roles.read] });
  const authenticate = createAuthenticator({ apiKeys, ...(verifyToken && { verifyToken }) });
  const logs: string[] = [];
  const logger = createLogger("authorizer-test", "SILENT");
  return { key, deps: { authenticate, logger }, logs };
}

describe("authorize", () => {
  it("authorizes an API key in Authorization and hands principal, tenant and roles on", async () => {
    // Prepare
    const { key, deps } = await anAuthorizer();

    // Act
    const result = await authorize(anEvent({ authorization: `Bearer ${key}` }), deps);

    // Assess
    expect(result).toEqual({
      isAuthorized: true,
      context: { principal: "key:svc:billing", tenant: "acme", roles: "messages:send messages:read", expires_at: 0 },
    });
  });

  it("authorizes an OAuth token with its expiry in the context", async () => {
    // Prepare
    const exp = Date.parse("2026-11-23T11:00:00Z");
    const verify: TokenVerifier = async (token) => {
      if (token !== "eyJ.token") throw new UnauthorizedError("Invalid token: inactive", "invalid_token");
      return { identity: { principal: "alice", tenant: "globex", roles: [Roles.erase] }, expiresAt: exp };
    };
    const { deps } = await anAuthorizer(verify);

    // Act
    const result = await authorize(anEvent({ authorization: "Bearer eyJ.token" }), deps);

    // Assess
    expect(result.context).toEqual({ principal: "alice", tenant: "globex", roles: "messages:erase", expires_at: exp / 1000 });
  });

  it("hands no expires_at (0) for a token without exp, and still authorizes it after the token cache's TTL", async () => {
    // Prepare
    const clock = { t: Date.parse("2026-11-23T10:00:00Z"), now: () => new Date(clock.t) };
    let introspections = 0;
    const verify = createTokenVerifier({
      settings: { issuer: undefined, audiences: ["herald"], rolesClaim: "scope", tenantClaim: "tenant", cacheTtlSeconds: 300, negativeCacheTtlSeconds: 10 },
      introspect: async () => {
        introspections += 1;
        return { active: true, sub: "alice", tenant: "globex", aud: "herald", scope: "messages:send" }; // RFC 7662: exp is optional
      },
      clock,
    });
    const { deps } = await anAuthorizer(verify);

    // Act
    const first = await authorize(anEvent({ authorization: "Bearer no-exp" }), deps);
    clock.t += 301_000;
    const afterTtl = await authorize(anEvent({ authorization: "Bearer no-exp" }), deps);

    // Assess
    expect(first.context).toEqual({ principal: "alice", tenant: "globex", roles: "messages:send", expires_at: 0 });
    expect(afterTtl.context).toEqual(first.context);
    expect(introspections).toBe(2);
  });

  it.each([
    ["no Authorization", {}],
    ["an unknown bearer token without OAuth configured", { authorization: "Bearer eyJ.token" }],
    ["a Basic credential", { authorization: "Basic dXNlcjpwYXNz" }],
  ])("throws Unauthorized (API Gateway's 401) for %s", async (_, headers) => {
    // Prepare
    const { deps } = await anAuthorizer();

    // Act
    const attempt = authorize(anEvent(headers), deps);

    // Assess
    await expect(attempt).rejects.toThrow(/^Unauthorized$/);
  });

  it("ignores x-api-key: API Gateway caches by Authorization alone", async () => {
    // Prepare
    const { key, deps } = await anAuthorizer();

    // Act
    const attempt = authorize(anEvent({ "x-api-key": key, authorization: "Bearer garbage" }), deps);

    // Assess
    await expect(attempt).rejects.toThrow(/^Unauthorized$/);
  });

  it.each([["POST /msg"], ["GET /msg"]])("authorizes the X-Api-Key of a legacy route (%s), its authorizer's identity source", async (routeKey) => {
    // Prepare
    const { key, deps } = await anAuthorizer();

    // Act
    const result = await authorize(anEvent({ "x-api-key": key, authorization: "Bearer garbage" }, routeKey), deps);

    // Assess
    expect(result.context).toMatchObject({ principal: "key:svc:billing", tenant: "acme" });
  });

  it("ignores Authorization on a legacy route: its answer is cached by X-Api-Key alone", async () => {
    // Prepare
    const { key, deps } = await anAuthorizer();

    // Act
    const attempt = authorize(anEvent({ "x-api-key": "hk_notakey_x", authorization: `Bearer ${key}` }, "POST /msg"), deps);

    // Assess
    await expect(attempt).rejects.toThrow(/^Unauthorized$/);
  });

  it("does not take a bare API key as the Authorization of a v1 route", async () => {
    // Prepare
    const { key, deps } = await anAuthorizer();

    // Act
    const attempt = authorize(anEvent({ authorization: key }), deps);

    // Assess
    await expect(attempt).rejects.toThrow(/^Unauthorized$/);
  });

  it("lets a provider outage fail the request (500, nothing cached) rather than refuse the caller", async () => {
    // Prepare
    const down: TokenVerifier = async () => {
      throw new AppError("auth.provider_unavailable", "The identity provider is not answering", { status: 503 });
    };
    const { deps } = await anAuthorizer(down);

    // Act
    const attempt = authorize(anEvent({ authorization: "Bearer eyJ.token" }), deps);

    // Assess
    await expect(attempt).rejects.toMatchObject({ code: "auth.provider_unavailable" });
  });
});
