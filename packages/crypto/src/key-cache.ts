/** Anything that holds a data key's plaintext. */
export type HoldsKey = { plaintext: Buffer };

export type KeyCacheBounds = {
  /** At most this many keys at once; the least recently used goes first. */
  maxKeys: number;
  /** No key is kept longer than this after it was stored. */
  maxAgeMs: number;
};

type Entry<V> = { value: V; storedAt: number; timer: ReturnType<typeof setTimeout> };

/**
 * Plaintext data keys in memory, bounded in number (an LRU) and age. A key's plaintext is zeroed
 * the moment it leaves, whichever way (pushed out by another, expired, replaced, deleted), so a
 * warm process holds only the keys it may still use. A key that merely sits idle past its age is
 * zeroed too, by a timer of its own (unref'd: it keeps no process alive).
 *
 * A key read from here must be used before the caller next awaits: after that it may have been
 * evicted and zeroed. Node's createCipheriv/createDecipheriv copy the key, so using it means
 * creating the cipher.
 *
 * A Map in recency order (least recently used first) rather than lru-cache: this is all of it
 * that the cache used, and lru-cache was ~19 KB minified of every cold start that seals or opens
 * (secure-store, webhooks, the ingest API), where nothing else needs it.
 */
export class KeyCache<V extends HoldsKey> {
  readonly #entries = new Map<string, Entry<V>>();
  readonly #maxKeys: number;
  readonly #maxAgeMs: number;
  readonly #now: () => number;

  constructor(bounds: KeyCacheBounds, now: () => number) {
    this.#maxKeys = bounds.maxKeys;
    this.#maxAgeMs = bounds.maxAgeMs;
    this.#now = now;
  }

  /** The key stored under `id`, unless absent or too old (an old one is zeroed and dropped). */
  get(id: string): V | undefined {
    const entry = this.#entries.get(id);
    if (entry === undefined) return undefined;
    if (this.#expired(entry)) {
      this.#drop(id, entry);
      return undefined;
    }
    this.#entries.delete(id);
    this.#entries.set(id, entry); // now the most recently used
    return entry.value;
  }

  /** Stores a key; one already under `id` is zeroed, and so is the LRU one if the cache is full. */
  set(id: string, value: V): void {
    const previous = this.#entries.get(id);
    if (previous !== undefined) {
      this.#entries.delete(id);
      clearTimeout(previous.timer);
      // the same key stored again is kept, not zeroed under its holder
      if (previous.value !== value) previous.value.plaintext.fill(0);
    }
    // Fires once, on the process's clock; the age is judged on ours (a test's may stand still,
    // and then get() is what drops the key).
    const timer = setTimeout(() => {
      const current = this.#entries.get(id);
      if (current?.timer === timer && this.#expired(current)) this.#drop(id, current);
    }, this.#maxAgeMs + 1);
    timer.unref();
    this.#entries.set(id, { value, storedAt: this.#now(), timer });
    for (const [oldest, entry] of this.#entries) {
      if (this.#entries.size <= this.#maxKeys) break;
      this.#drop(oldest, entry);
    }
  }

  delete(id: string): void {
    const entry = this.#entries.get(id);
    if (entry !== undefined) this.#drop(id, entry);
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The bound as KeyCacheBounds states it: a key aged exactly maxAgeMs is too old. */
  #expired(entry: Entry<V>): boolean {
    return this.#now() - entry.storedAt >= this.#maxAgeMs;
  }

  #drop(id: string, entry: Entry<V>): void {
    this.#entries.delete(id);
    clearTimeout(entry.timer);
    entry.value.plaintext.fill(0);
  }
}
