/**
 * What OAuth 2.0 costs per request: tokens introspected at a real local OAuth server (the test
 * one, over HTTP on loopback), through the authenticator the services use. Figures: introspection
 * calls for many requests per token, the first (uncached) request's latency, and a cached one's.
 */
import { createAuthenticator, loadOAuthSettings } from "@herald/auth";
import { MemoryApiKeyStore } from "@herald/auth/memory";
import { oauthTokenVerifier } from "@herald/auth/oauth";
import { createLogger } from "@herald/platform";
import { startOAuthServer } from "@herald/testing";

export type AuthCacheResult = { requests: number; tokens: number; introspectionCalls: number; firstMs: number; cachedMicroseconds: number };

export async function measureAuthCache(
  tokens = Number(process.env.BENCH_TOKENS ?? 100),
  requestsPerToken = Number(process.env.BENCH_requestsPerToken ?? 100),
): Promise<AuthCacheResult> {
  const idp = await startOAuthServer();
  try {
    const settings = loadOAuthSettings({
      HERALD_OAUTH_INTROSPECTION_URL: idp.introspectionUrl,
      HERALD_OAUTH_CLIENT_ID: idp.clientId,
      HERALD_OAUTH_CLIENT_SECRET: idp.clientSecret,
      HERALD_OAUTH_AUDIENCE: "herald",
    });
    if (!settings) throw new Error("settings");
    const authenticate = createAuthenticator({
      apiKeys: new MemoryApiKeyStore(),
      verifyToken: oauthTokenVerifier(settings, { secretsMaxAgeSeconds: 60, logger: createLogger("bench", "SILENT") }),
    });
    const headers = await Promise.all(
      Array.from({ length: tokens }, async (_, i) => new Headers({ authorization: `Bearer ${await idp.token({ sub: `user-${i}`, scope: "messages:send" })}` })),
    );

    let firstMs = 0;
    for (const h of headers) {
      const t = performance.now();
      await authenticate(h);
      firstMs += performance.now() - t;
    }
    const t = performance.now();
    for (let r = 1; r < requestsPerToken; r++) for (const h of headers) await authenticate(h);
    const cachedMs = performance.now() - t;
    const cachedRequests = tokens * (requestsPerToken - 1);

    return {
      requests: tokens * requestsPerToken,
      tokens,
      introspectionCalls: idp.introspectionCalls(),
      firstMs: firstMs / tokens,
      cachedMicroseconds: (cachedMs * 1000) / cachedRequests,
    };
  } finally {
    await idp.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await measureAuthCache(), null, 2));
