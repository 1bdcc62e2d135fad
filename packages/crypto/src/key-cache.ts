import { LRUCache } from "lru-cache";

/** Anything that holds a data key's plaintext. */
export type HoldsKey = { plaintext: Buffer };

export type KeyCacheBounds = {
  /** At most this many keys at once; the least recently used goes first. */
  maxKeys: number;
  /** No key is kept longer than this after it was stored. */
  maxAgeMs: number;
};

type Entry<V> = { value: V; storedAt: number };

/**
 * Plaintext data keys in memory, bounded in number (an LRU) and age. A key's plaintext is zeroed
 * the moment it leaves, whichever way (pushed out by another, expired, replaced, deleted), so a
 * warm process holds only the keys it may still use. A key that merely sits idle past its age is
 * zeroed too (lru-cache's autopurge timer, unref'd: it keeps no process alive).
 *
 * A key read from here must be used before the caller next awaits: after that it may have been
 * evicted and zeroed. Node's createCipheriv/createDecipheriv copy the key, so using it means
 * creating the cipher.
 */
export class KeyCache<V extends HoldsKey> {
  readonly #cache: LRUCache<string, Entry<V>>;
  readonly #maxAgeMs: number;
  readonly #now: () => number;

  constructor(bounds: KeyCacheBounds, now: () => number) {
    this.#maxAgeMs = bounds.maxAgeMs;
    this.#now = now;
    this.#cache = new LRUCache<string, Entry<V>>({
      max: bounds.maxKeys,
      ttl: bounds.maxAgeMs,
      ttlAutopurge: true,
      perf: { now },
      ttlResolution: 0, // our clock, not a cached reading of it
      dispose: (entry) => entry.value.plaintext.fill(0),
    });
  }

  /** The key stored under `id`, unless absent or too old (an old one is zeroed and dropped). */
  get(id: string): V | undefined {
    const entry = this.#cache.get(id);
    if (entry === undefined) return undefined;
    // lru-cache's own staleness check ignores a start time of 0 and lets an entry live exactly
    // maxAgeMs; this one is the bound as CacheBounds states it, on any clock.
    if (this.#now() - entry.storedAt >= this.#maxAgeMs) {
      this.#cache.delete(id);
      return undefined;
    }
    return entry.value;
  }

  /** Stores a key; one already under `id` is zeroed, and so is the LRU one if the cache is full. */
  set(id: string, value: V): void {
    this.#cache.set(id, { value, storedAt: this.#now() });
  }

  delete(id: string): void {
    this.#cache.delete(id);
  }

  get size(): number {
    return this.#cache.size;
  }
}
