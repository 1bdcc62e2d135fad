import { describe, expect, it, vi } from "vitest";
import { AppError, createLogger, UnauthorizedError } from "@herald/platform";
import type { IntrospectionAnswer, OAuthSettings } from "../../src/index";
import { createTokenVerifier, oauthTokenVerifier } from "../../src/oauth/index";

const START = Date.parse("2026-11-23T10:00:00Z");

/** A provider port whose answers the test decides, counting calls; the wire is tested elsewhere. */
function aProvider(cacheTtlSeconds = 300) {
  const clock = { t: START, now: () => new Date(clock.t) };
  const provider = {
    calls: 0,
    failing: false,
    answers: new Map<string, IntrospectionAnswer>(),
    introspect: async (token: string): Promise<IntrospectionAnswer> => {
      provider.calls += 1;
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (provider.failing) {
        throw new AppError("auth.provider_unavailable", "The identity provider is not answering", { status: 503, retryable: true });
      }
      return provider.answers.get(token) ?? { active: false };
    },
  };
  const tokenFor = (token: string, expiresInSeconds: number, claims: Record<string, unknown> = {}) => {
    provider.answers.set(token, {
      active: true,
      sub: "alice",
      tenant: "acme",
      scope: "messages:send",
      exp: Math.floor(clock.t / 1000) + expiresInSeconds,
      ...claims,
    });
    return token;
  };
  const verify = createTokenVerifier({
    // Claims are claims.test.ts' concern: these tokens carry no aud, so any audience is accepted.
    settings: { issuer: undefined, audiences: ["*"], rolesClaim: "scope", tenantClaim: "tenant", cacheTtlSeconds, negativeCacheTtlSeconds: 10 },
    introspect: provider.introspect,
    clock,
  });
  return { clock, provider, tokenFor, verify };
}

describe("createTokenVerifier", () => {
  it("introspects a token once for 100 sequential requests", async () => {
    // Prepare
    const { provider, tokenFor, verify } = aProvider();
    const token = tokenFor("token-1", 3600);

    // Act
    for (let i = 0; i < 100; i++) await verify(token);

    // Assess
    expect(provider.calls).toBe(1);
  });

  it("makes one introspection call for 100 concurrent requests with a new token", async () => {
    // Prepare
    const { provider, tokenFor, verify } = aProvider();
    const token = tokenFor("token-1", 3600);

    // Act
    const results = await Promise.all(Array.from({ length: 100 }, () => verify(token)));

    // Assess
    expect(provider.calls).toBe(1);
    expect(new Set(results.map((r) => r.identity.principal))).toEqual(new Set(["alice"]));
  });

  it("asks again after the maximum TTL, even if the token lives longer", async () => {
    // Prepare
    const { clock, provider, tokenFor, verify } = aProvider();
    const token = tokenFor("token-1", 3600);
    await verify(token);

    // Act
    clock.t += 299_000;
    await verify(token);
    const callsBeforeTtl = provider.calls;
    clock.t += 2000;
    await verify(token);

    // Assess
    expect(callsBeforeTtl).toBe(1);
    expect(provider.calls).toBe(2);
  });

  it("stops accepting a token at its exp, before the maximum TTL, without asking the provider", async () => {
    // Prepare
    const { clock, provider, tokenFor, verify } = aProvider();
    const token = tokenFor("token-1", 60);
    await verify(token);
    provider.answers.set(token, { ...provider.answers.get(token)!, active: false });

    // Act
    clock.t += 61_000;
    const attempt = verify(token);

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(attempt).rejects.toThrow(/expired|inactive/);
  });

  it("keeps accepting a token without exp after the maximum TTL, by asking the provider again", async () => {
    // Prepare
    const { clock, provider, verify } = aProvider();
    provider.answers.set("no-exp", { active: true, sub: "alice", tenant: "acme", scope: "messages:send" });
    const first = await verify("no-exp");

    // Act
    clock.t += 301_000;
    const later = await verify("no-exp");
    clock.t += 301_000;
    const muchLater = await verify("no-exp");

    // Assess
    expect(first.expiresAt).toBeUndefined();
    expect(later).toEqual(first);
    expect(muchLater.identity.principal).toBe("alice");
    expect(provider.calls).toBe(3);
  });

  it("refuses a token without exp once the provider, asked again after the TTL, says it is inactive", async () => {
    // Prepare
    const { clock, provider, verify } = aProvider();
    provider.answers.set("no-exp", { active: true, sub: "alice", tenant: "acme", scope: "messages:send" });
    await verify("no-exp");
    provider.answers.set("no-exp", { active: false });

    // Act
    const withinTtl = await verify("no-exp");
    clock.t += 301_000;
    const attempt = verify("no-exp");

    // Assess
    expect(withinTtl.identity.principal).toBe("alice");
    await expect(attempt).rejects.toThrow(/inactive/);
  });

  it("serves a cached answer for a token without exp for one more TTL while the provider is down, then 503, never 401", async () => {
    // Prepare
    const { clock, provider, verify } = aProvider();
    provider.answers.set("no-exp", { active: true, sub: "alice", tenant: "acme", scope: "messages:send" });
    await verify("no-exp");
    provider.failing = true;

    // Act
    clock.t += 301_000; // refresh due: the provider is asked and fails
    const duringOutage = await verify("no-exp");
    clock.t += 300_000; // one more TTL: the old answer is no longer trusted
    const later = verify("no-exp");

    // Assess
    expect(duringOutage.identity.principal).toBe("alice");
    await expect(later).rejects.toMatchObject({ status: 503, code: "auth.provider_unavailable" });
  });

  it("asks the provider for every request with a TTL of 0 (revocation at once), still one call for concurrent ones", async () => {
    // Prepare
    const { clock, provider, tokenFor, verify } = aProvider(0);
    const token = tokenFor("token-1", 3600);

    // Act
    await Promise.all(Array.from({ length: 10 }, () => verify(token)));
    const concurrentCalls = provider.calls;
    clock.t += 1000;
    await verify(token);
    provider.answers.set(token, { active: false });
    clock.t += 1000;
    const revoked = verify(token);

    // Assess
    expect(concurrentCalls).toBe(1);
    await expect(revoked).rejects.toThrow(/inactive/);
    expect(provider.calls).toBe(3);
  });

  it("remembers a refusal briefly, then asks again", async () => {
    // Prepare
    const { clock, provider, verify } = aProvider();

    // Act
    for (let i = 0; i < 20; i++) await verify("bad").catch(() => undefined);
    const callsWithinNegativeTtl = provider.calls;
    clock.t += 11_000;
    await verify("bad").catch(() => undefined);

    // Assess
    expect(callsWithinNegativeTtl).toBe(1);
    expect(provider.calls).toBe(2);
  });

  it("keeps serving a cached answer while the provider is down, but only until the token expires", async () => {
    // Prepare
    const { clock, provider, tokenFor, verify } = aProvider();
    const token = tokenFor("token-1", 600);
    await verify(token);
    provider.failing = true;

    // Act
    clock.t += 301_000; // refresh due: the provider is asked and fails
    const duringOutage = await verify(token);
    clock.t += 300_000; // past exp
    const afterExp = verify(token);

    // Assess
    expect(duringOutage.identity.principal).toBe("alice");
    await expect(afterExp).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it("answers 503 when the provider is down and nothing is cached, and recovers when it is back", async () => {
    // Prepare
    const { provider, tokenFor, verify } = aProvider();
    const token = tokenFor("token-1", 600);
    provider.failing = true;

    // Act
    const during = verify(token);
    await during.catch(() => undefined);
    provider.failing = false;
    const after = await verify(token);

    // Assess
    await expect(during).rejects.toMatchObject({ status: 503, code: "auth.provider_unavailable" });
    expect(after.identity.tenant).toBe("acme");
  });

  it("keeps tokens apart: a second token is introspected on its own", async () => {
    // Prepare
    const { provider, tokenFor, verify } = aProvider();
    const a = tokenFor("token-a", 600);
    const b = tokenFor("token-b", 600, { sub: "bob", tenant: "globex" });

    // Act
    const [ra, rb] = [await verify(a), await verify(b)];

    // Assess
    expect(provider.calls).toBe(2);
    expect(ra.identity).toMatchObject({ principal: "alice", tenant: "acme" });
    expect(rb.identity).toMatchObject({ principal: "bob", tenant: "globex" });
  });
});

describe("oauthTokenVerifier", () => {
  const settings = (audiences: string[]): OAuthSettings => ({
    introspectionUrl: "https://idp.example.com/oauth2/introspect",
    clientId: "herald",
    clientSecret: { kind: "value", value: "s3cr3t" },
    issuer: undefined,
    audiences,
    rolesClaim: "scope",
    tenantClaim: "tenant",
    cacheTtlSeconds: 300,
    negativeCacheTtlSeconds: 10,
    timeoutMs: 2000,
    retries: 2,
  });

  it("warns once, when the service builds it, that HERALD_OAUTH_AUDIENCE=* accepts tokens for any audience", () => {
    // Prepare
    const logger = createLogger("test", "SILENT");
    const warn = vi.spyOn(logger, "warn");

    // Act
    oauthTokenVerifier(settings(["*"]), { secretsMaxAgeSeconds: 60, logger });
    oauthTokenVerifier(settings(["https://api.example.com"]), { secretsMaxAgeSeconds: 60, logger });

    // Assess
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledWith("oauth audience not checked: HERALD_OAUTH_AUDIENCE=* accepts tokens minted for any API");
  });
});
