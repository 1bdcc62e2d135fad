import { LRUCache } from "lru-cache";
import * as z from "zod";
import { env, parseEnv, systemClock, type Clock } from "@herald/platform";

const RateLimitEnv = z.object({
  /** Per-principal requests per second (the bucket's refill); 0 turns the limit off. */
  HERALD_RATE_LIMIT: env.int(50, 0, 100_000),
  /** Per-principal burst (the bucket's size). */
  HERALD_RATE_BURST: env.int(100, 1, 100_000),
});

export type RateLimitSettings = { ratePerSecond: number; burst: number };

/** The per-principal limit from HERALD_RATE_LIMIT / HERALD_RATE_BURST; undefined when turned off. */
export function loadRateLimit(source: Record<string, string | undefined>): RateLimitSettings | undefined {
  const e = parseEnv(RateLimitEnv, source);
  return e.HERALD_RATE_LIMIT === 0 ? undefined : { ratePerSecond: e.HERALD_RATE_LIMIT, burst: e.HERALD_RATE_BURST };
}

export type ThrottleDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export type TokenBucketOptions = {
  /** Tokens added per second: the sustained rate. */
  ratePerSecond: number;
  /** Bucket size: how many requests may come at once after a quiet spell. */
  burst: number;
  clock?: Clock;
  /** Buckets kept at once; the least recently used are dropped (and start full again). */
  maxKeys?: number;
};

type Bucket = { tokens: number; at: number };

/**
 * A token bucket per key (the caller: tenant and principal, as the ingest app keys it). Written
 * here rather than taken from a package: the rate limiters for Hono and Node count fixed windows
 * or make callers wait, and we need the bucket's own answer (allowed, or the seconds until a
 * token) for Retry-After, synchronously and bounded in memory (lru-cache).
 */
export class TokenBucketLimiter {
  readonly #rate: number;
  readonly #burst: number;
  readonly #clock: Clock;
  readonly #buckets: LRUCache<string, Bucket>;

  constructor(options: TokenBucketOptions) {
    if (!(options.ratePerSecond > 0) || !(options.burst >= 1)) throw new Error("rate must be > 0 and burst >= 1");
    this.#rate = options.ratePerSecond;
    this.#burst = options.burst;
    this.#clock = options.clock ?? systemClock;
    this.#buckets = new LRUCache({ max: options.maxKeys ?? 10_000 });
  }

  take(key: string): ThrottleDecision {
    const now = this.#clock.now().getTime();
    const bucket = this.#buckets.get(key) ?? { tokens: this.#burst, at: now };
    const tokens = Math.min(this.#burst, bucket.tokens + (Math.max(0, now - bucket.at) / 1000) * this.#rate);
    if (tokens >= 1) {
      this.#buckets.set(key, { tokens: tokens - 1, at: now });
      return { allowed: true };
    }
    this.#buckets.set(key, { tokens, at: now });
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / this.#rate)) };
  }
}
