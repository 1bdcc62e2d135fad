import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Roles } from "@herald/contracts";
import { AppError, type Secret } from "@herald/platform";
import { createSecrets } from "@herald/platform/secrets";
import { startOAuthServer, type OAuthServer } from "@herald/testing";
import { createAuthenticator, loadOAuthSettings } from "../../src/index";
import { MemoryApiKeyStore } from "../../src/memory-api-key-store";
import { createIntrospector, createTokenVerifier } from "../../src/oauth/index";

let idp: OAuthServer;

beforeAll(async () => {
  idp = await startOAuthServer();
});
afterAll(async () => {
  await idp?.stop();
});
beforeEach(() => {
  idp.resetCounts();
});

/** The authenticator as the services build it, from the same environment variables. */
function anAuthenticator(env: Record<string, string> = {}, clientSecret?: Secret) {
  const settings = loadOAuthSettings({
    HERALD_OAUTH_INTROSPECTION_URL: idp.introspectionUrl,
    HERALD_OAUTH_CLIENT_ID: idp.clientId,
    HERALD_OAUTH_CLIENT_SECRET: idp.clientSecret,
    HERALD_OAUTH_ISSUER: idp.issuer,
    HERALD_OAUTH_AUDIENCE: "herald",
    ...env,
  });
  if (!settings) throw new Error("OAuth settings expected");
  const introspect = createIntrospector(settings, {
    clientSecret: clientSecret ?? createSecrets({ maxAgeSeconds: 60 })(settings.clientSecret, "HERALD_OAUTH_CLIENT_SECRET"),
    sleep: async () => undefined,
  });
  return createAuthenticator({ apiKeys: new MemoryApiKeyStore(), verifyToken: createTokenVerifier({ settings, introspect }) });
}

const bearer = (token: string) => new Headers({ authorization: `Bearer ${token}` });

describe("OAuth 2.0 bearer tokens, introspected at a real local OAuth server", () => {
  it("accepts a valid token: principal from sub, tenant from its claim, roles from scope", async () => {
    // Prepare
    const authenticate = anAuthenticator();
    const token = await idp.token({ sub: "alice", tenant: "acme", scope: "openid messages:send messages:read" });

    // Act
    const result = await authenticate(bearer(token));

    // Assess
    expect(result.identity).toEqual({ principal: "alice", tenant: "acme", roles: [Roles.send, Roles.read] });
    expect(result.method).toBe("oauth");
    expect(result.expiresAt).toBeGreaterThan(Date.now() + 3500_000);
    expect(idp.introspectionCalls()).toBe(1);
  });

  it("maps roles from a configured array claim and the tenant from a configured claim", async () => {
    // Prepare
    const authenticate = anAuthenticator({ HERALD_OAUTH_ROLES_CLAIM: "roles", HERALD_OAUTH_TENANT_CLAIM: "org" });
    const token = await idp.token({ sub: "bob", scope: "messages:send", roles: ["messages:decrypt", "messages:erase"], claims: { org: "globex" } });

    // Act
    const result = await authenticate(bearer(token));

    // Assess
    expect(result.identity).toEqual({ principal: "bob", tenant: "globex", roles: [Roles.decrypt, Roles.erase] });
  });

  it.each([
    ["expired", () => idp.token({ expiresIn: -60 })],
    ["for another audience", () => idp.token({ aud: "billing-api" })],
    ["from another issuer", () => idp.token({ claims: { iss: "https://evil.example" } })],
    ["tampered (a signature byte changed)", async () => {
      const token = await idp.token({ scope: "messages:send" });
      const last = token.at(-2) === "A" ? "B" : "A";
      return `${token.slice(0, -2)}${last}${token.at(-1)}`;
    }],
    ["tampered (claims rewritten, signature kept)", async () => {
      const [header, , signature] = (await idp.token({ tenant: "acme" })).split(".");
      const forged = Buffer.from(JSON.stringify({ sub: "mallory", tenant: "acme", scope: "messages:read-all", aud: "herald" })).toString("base64url");
      return `${header}.${forged}.${signature}`;
    }],
    ["not a JWT at all", async () => "opaque-token-the-provider-never-issued"],
  ])("refuses a token that is %s with 401", async (_, make) => {
    // Prepare
    const authenticate = anAuthenticator();
    const token = await make();

    // Act
    const attempt = authenticate(bearer(token));

    // Assess
    await expect(attempt).rejects.toMatchObject({ status: 401, code: "auth.unauthorized" });
  });

  it("refuses a token the provider says is inactive (revoked)", async () => {
    // Prepare
    const authenticate = anAuthenticator();
    const token = await idp.token();
    idp.revoke(token);

    // Act
    const attempt = authenticate(bearer(token));

    // Assess
    await expect(attempt).rejects.toMatchObject({ status: 401, message: "Invalid token: inactive" });
  });

  it("makes 1 introspection call for 100 requests with one token, and 1 for 100 concurrent ones with another", async () => {
    // Prepare
    const authenticate = anAuthenticator();
    const [sequential, concurrent] = [await idp.token({ sub: "seq" }), await idp.token({ sub: "conc" })];

    // Act
    for (let i = 0; i < 100; i++) await authenticate(bearer(sequential));
    const afterSequential = idp.introspectionCalls();
    await Promise.all(Array.from({ length: 100 }, () => authenticate(bearer(concurrent))));

    // Assess
    expect(afterSequential).toBe(1);
    expect(idp.introspectionCalls()).toBe(2);
  });

  it("retries the provider's 429 and succeeds when it recovers", async () => {
    // Prepare
    const authenticate = anAuthenticator();
    const token = await idp.token({ sub: "carol" });
    idp.failIntrospection(2, 429, 1);

    // Act
    const result = await authenticate(bearer(token));

    // Assess
    expect(result.identity.principal).toBe("carol");
    expect(idp.introspectionCalls()).toBe(3);
  });

  it("answers 503 with Retry-After when the provider keeps failing, caches nothing, and recovers", async () => {
    // Prepare
    const authenticate = anAuthenticator({ HERALD_OAUTH_RETRIES: "2" });
    const token = await idp.token({ sub: "dave" });
    idp.failIntrospection(3, 503);

    // Act
    const during = await authenticate(bearer(token)).catch((e: unknown) => e);
    const after = await authenticate(bearer(token));

    // Assess
    expect(during).toMatchObject({ status: 503, code: "auth.provider_unavailable", headers: { "retry-after": "1" } });
    expect(after.identity.principal).toBe("dave");
    expect(idp.introspectionCalls()).toBe(4);
  });

  it("says our own client credentials are wrong (500), without retrying", async () => {
    // Prepare
    const authenticate = anAuthenticator({ HERALD_OAUTH_CLIENT_SECRET: "not-the-secret" });
    const token = await idp.token();

    // Act
    const attempt = authenticate(bearer(token));

    // Assess
    await expect(attempt).rejects.toMatchObject({ status: 500, code: "auth.introspection_failed" });
    expect(idp.introspectionCalls()).toBe(1);
  });

  it("answers 503 auth.client_secret_unavailable, asking the provider nothing, when the client secret cannot be read", async () => {
    // Prepare
    const unreadable: Secret = {
      source: "secretsmanager:arn:aws:secretsmanager:eu-west-1:123456789012:secret:herald/OAuthClientSecret-AbCdEf",
      value: async () => {
        throw new AppError("secrets.unavailable", "Could not read the secret (AccessDeniedException)", { status: 503, retryable: true });
      },
      refresh: async () => "never read",
    };
    const authenticate = anAuthenticator({}, unreadable);
    const token = await idp.token();

    // Act
    const error = await authenticate(bearer(token)).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ status: 503, code: "auth.client_secret_unavailable", retryable: true, headers: { "retry-after": "1" } });
    expect(String((error as Error).message)).not.toContain("herald/OAuthClientSecret");
    expect(idp.introspectionCalls()).toBe(0);
  });

  it("reads the client secret again once for the introspections refused at the same time, and retries each with it", async () => {
    // Prepare
    let stored = "an-old-secret-the-provider-dropped";
    let cached = stored;
    let refreshes = 0;
    const rotating: Secret = {
      source: "secretsmanager:herald/OAuthClientSecret",
      value: async () => cached,
      refresh: async () => {
        refreshes += 1;
        cached = stored;
        return cached;
      },
    };
    const authenticate = anAuthenticator({}, rotating);
    const tokens = await Promise.all(Array.from({ length: 5 }, (_, i) => idp.token({ sub: `user-${i}` })));
    stored = idp.clientSecret;

    // Act
    const results = await Promise.all(tokens.map((token) => authenticate(bearer(token))));

    // Assess
    expect(results.map((r) => r.identity.principal)).toEqual(["user-0", "user-1", "user-2", "user-3", "user-4"]);
    expect(refreshes).toBe(1);
    expect(idp.introspectionCalls()).toBe(10);
  });
});
