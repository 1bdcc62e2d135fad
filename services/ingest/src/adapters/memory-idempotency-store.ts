import type { BeginResult, IdempotencyEntry, IdempotencyScope, IdempotencyStore, StoredResponse } from "../ports/idempotency-store";

/** In-process IdempotencyStore with the DynamoDB adapter's semantics, for unit tests. */
export class MemoryIdempotencyStore implements IdempotencyStore {
  readonly entries = new Map<string, IdempotencyEntry & { expiresAt: number }>();

  async begin(scope: IdempotencyScope, fingerprint: string, now: Date, ttlSeconds: number): Promise<BeginResult> {
    const id = JSON.stringify(scope);
    const existing = this.entries.get(id);
    const epoch = Math.floor(now.getTime() / 1000);
    if (existing && existing.expiresAt >= epoch) return { claimed: false, entry: structuredClone(existing) };
    this.entries.set(id, { fingerprint, state: "in_progress", expiresAt: epoch + ttlSeconds });
    return { claimed: true };
  }

  async complete(scope: IdempotencyScope, response: StoredResponse): Promise<void> {
    const entry = this.entries.get(JSON.stringify(scope));
    if (entry) Object.assign(entry, { state: "done", response: structuredClone(response) });
  }

  async release(scope: IdempotencyScope): Promise<void> {
    this.entries.delete(JSON.stringify(scope));
  }
}
