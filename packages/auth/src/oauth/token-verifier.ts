import { createHash } from "node:crypto";
import { LRUCache } from "lru-cache";
import type { Identity } from "@herald/contracts";
import { UnauthorizedError, maskPrincipal, systemClock, type Clock, type Logger } from "@herald/platform";
import { createSecrets } from "@herald/platform/secrets";
import { acceptsAnyAudience } from "@herald/settings";
import type { TokenVerifier } from "../authenticate";
import { identityFromIntrospection, type ClaimSettings } from "./claims";
import { createIntrospector, type Introspect } from "./introspection";
import type { OAuthSettings } from "./settings";

/**
 * `expiresAt` is the token's own `exp` (undefined without one: RFC 7662 makes it optional), never
 * invented: it is what the authorizer context carries. When to ask the provider again is the
 * cache's TTL; how long an answer may stand in for the provider during an outage is `usableUntil`.
 */
type Entry =
  | { kind: "valid"; identity: Identity; expiresAt: number | undefined; usableUntil: number }
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
 *   then the provider is asked again (so a token without `exp` lives as long as the provider says
 *   it is active, and a revoked one is refused within cacheTtl);
 * - concurrent requests with the same uncached token share one introspection (lru-cache's fetch);
 * - when the provider stays unavailable after retries, an answer whose refresh is due keeps
 *   serving until the token's `exp`, or, without one, for one more cacheTtl; with no such answer
 *   the request gets 503 (never a 401: the token was not found invalid).
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const { settings, introspect, logger } = options;
  const clock = options.clock ?? systemClock;
  const now = () => clock.now().getTime();
  const maxTtlMs = settings.cacheTtlSeconds * 1000;
  const negativeTtlMs = settings.negativeCacheTtlSeconds * 1000;
  const expired = (entry: { expiresAt: number | undefined }) => entry.expiresAt !== undefined && entry.expiresAt <= now();

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
      const at = now();
      const refreshAt = Math.min(at + maxTtlMs, verdict.expiresAt ?? Number.POSITIVE_INFINITY);
      setOptions.ttl = Math.max(1, refreshAt - at);
      const usableUntil = verdict.expiresAt ?? refreshAt + maxTtlMs;
      return { kind: "valid", identity: verdict.identity, expiresAt: verdict.expiresAt, usableUntil };
    },
  });

  return async (token) => {
    const key = createHash("sha256").update(token, "utf8").digest("hex");
    // A token known to have expired needs no provider to refuse it.
    const known = cache.peek(key, { allowStale: true });
    if (known?.kind === "valid" && expired(known)) throw new UnauthorizedError("Invalid token: expired", "invalid_token");
    let entry: Entry | undefined;
    try {
      entry = await cache.fetch(key, { context: token });
    } catch (error) {
      const stale = cache.get(key, { allowStale: true });
      if (stale?.kind !== "valid" || stale.usableUntil <= now()) throw error;
      logger?.warn("identity provider unavailable: serving a cached answer", { principal: maskPrincipal(stale.identity.principal) });
      entry = stale;
    }
    if (entry === undefined) throw new Error("token cache returned nothing");
    if (entry.kind === "rejected") throw new UnauthorizedError(`Invalid token: ${entry.reason}`, "invalid_token");
    if (expired(entry)) throw new UnauthorizedError("Invalid token: expired", "invalid_token");
    return { identity: entry.identity, expiresAt: entry.expiresAt };
  };
}

/**
 * The verifier a service builds from its OAuth settings: introspection with the client secret
 * read as a Secret (the value, or Secrets Manager with this max age), behind the token cache.
 * Built once per process (module scope on Lambda), so cache and secret live as long as it does,
 * and the audience opt-out is logged once per process that introspects.
 */
export function oauthTokenVerifier(settings: OAuthSettings, options: { secretsMaxAgeSeconds: number; logger: Logger }): TokenVerifier {
  if (acceptsAnyAudience(settings)) {
    options.logger.warn("oauth audience not checked: HERALD_OAUTH_AUDIENCE=* accepts tokens minted for any API");
  }
  const clientSecret = createSecrets({ maxAgeSeconds: options.secretsMaxAgeSeconds })(settings.clientSecret, "HERALD_OAUTH_CLIENT_SECRET");
  return createTokenVerifier({
    settings,
    introspect: createIntrospector(settings, { clientSecret, logger: options.logger }),
    logger: options.logger,
  });
}
