/** A caller's Idempotency-Key, scoped to who sent it: keys of different principals never meet. */
export type IdempotencyScope = { tenant: string; principal: string; key: string };

export type StoredResponse = { status: number; body: unknown };

export type IdempotencyEntry = {
  /** SHA-256 of the canonical request body the key was first used with. */
  fingerprint: string;
  state: "in_progress" | "done";
  response?: StoredResponse;
};

export type BeginResult = { claimed: true } | { claimed: false; entry: IdempotencyEntry };

export interface IdempotencyStore {
  /**
   * Takes the key for this request with a conditional write, so of two concurrent requests with
   * one key exactly one proceeds. An entry older than its TTL counts as absent.
   */
  begin(scope: IdempotencyScope, fingerprint: string, now: Date, ttlSeconds: number): Promise<BeginResult>;
  /** Keeps the response, to be replayed to a repeat of the request. */
  complete(scope: IdempotencyScope, response: StoredResponse): Promise<void>;
  /** Gives the key back (the request failed in a way worth retrying with the same key). */
  release(scope: IdempotencyScope): Promise<void>;
}
