import { createHash } from "node:crypto";
import { LRUCache } from "lru-cache";
import type { Identity } from "@herald/contracts";
import { UnauthorizedError, maskPrincipal, systemClock, type Clock, type Logger } from "@herald/platform";
import { createSecrets } from "@herald/platform/secrets";
import type { TokenVerifier } from "../authenticate";
import { identityFromIntrospection, type ClaimSettings } from "./claims";
import { createIntrospector, type Introspect } from "./introspection";
import type { OAuthSettings } from "./settings";

type Entry =
  | { kind: "valid"; identity: Identity; expiresAt: number }
  | { kind: "rejected"; reason: string };

export type TokenVerifierOptions = {
  settings: ClaimSettings & Pick<OAuthSettings, "cacheTtlSeconds" | "negativeCacheTtlSeconds">;
  introspect: Introspect;
  clock?: Clock;
  logger?: Logger;
  /** Tokens remembered at once; the least recently used go first. */
  maxEntries?: number;
};

/**
 * Validates bearer tokens by introspection and remembers the answers, so the provider sees one
 * call per token per TTL however many requests carry it:
 * - keyed by SHA-256 of the token, never the token;
 * - a valid answer is reused until min(`exp`, now + cacheTtl), a refusal for negativeCacheTtl;
 * - concurrent requests with the same uncached token share one introspection (lru-cache's fetch);
 * - when the provider stays unavailable after retries, an answer whose refresh is due but whose
 *   token has not expired keeps serving; with no such answer the request gets 503.
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const { settings, introspect, logger } = options;
  const clock = options.clock ?? systemClock;
  const now = () => clock.now().getTime();
  const maxTtlMs = settings.cacheTtlSeconds * 1000;
  const negativeTtlMs = settings.negativeCacheTtlSeconds * 1000;

  const cache: LRUCache<string, Entry, string> = new LRUCache<string, Entry, string>({
    max: options.maxEntries ?? 10_000,
    ttl: maxTtlMs,
    perf: { now },
    ttlResolution: 0, // our clock, not a cached reading of it
    // A stale answer stays available to the fallback below until the LRU pushes it out.
    noDeleteOnFetchRejection: true,
    noDeleteOnStaleGet: true,
    fetchMethod: async (_hash, _stale, { options: setOptions, context: token }) => {
      const answer = await introspect(token);
      const verdict = identityFromIntrospection(answer, settings, now());
      if (!verdict.ok) {
        setOptions.ttl = Math.max(1, negativeTtlMs); // lru-cache reads a ttl of 0 as "forever"
        return { kind: "rejected", reason: verdict.reason };
      }
      const expiresAt = verdict.expiresAt ?? now() + maxTtlMs;
      setOptions.ttl = Math.max(1, Math.min(maxTtlMs, expiresAt - now()));
      return { kind: "valid", identity: verdict.identity, expiresAt };
    },
  });

  return async (token) => {
    const key = createHash("sha256").update(token, "utf8").digest("hex");
    // A token known to have expired needs no provider to refuse it.
    const known = cache.peek(key, { allowStale: true });
    if (known?.kind === "valid" && known.expiresAt <= now()) throw new UnauthorizedError("Invalid token: expired", "invalid_token");
    let entry: Entry | undefined;
    try {
      entry = await cache.fetch(key, { context: token });
    } catch (error) {
      const stale = cache.get(key, { allowStale: true });
      if (stale?.kind !== "valid" || stale.expiresAt <= now()) throw error;
      logger?.warn("identity provider unavailable: serving a cached answer", { principal: maskPrincipal(stale.identity.principal) });
      entry = stale;
    }
    if (entry === undefined) throw new Error("token cache returned nothing");
    if (entry.kind === "rejected") throw new UnauthorizedError(`Invalid token: ${entry.reason}`, "invalid_token");
    if (entry.expiresAt <= now()) throw new UnauthorizedError("Invalid token: expired", "invalid_token");
    return { identity: entry.identity, expiresAt: entry.expiresAt };
  };
}

/**
 * The verifier a service builds from its OAuth settings: introspection with the client secret
 * read as a Secret (the value, or Secrets Manager with this max age), behind the token cache.
 * Built once per process (module scope on Lambda), so cache and secret live as long as it does.
 */
export function oauthTokenVerifier(settings: OAuthSettings, options: { secretsMaxAgeSeconds: number; logger: Logger }): TokenVerifier {
  const clientSecret = createSecrets({ maxAgeSeconds: options.secretsMaxAgeSeconds })(settings.clientSecret, "HERALD_OAUTH_CLIENT_SECRET");
  return createTokenVerifier({
    settings,
    introspect: createIntrospector(settings, { clientSecret, logger: options.logger }),
    logger: options.logger,
  });
}
