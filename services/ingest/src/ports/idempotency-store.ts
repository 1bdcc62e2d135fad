/** A caller's Idempotency-Key, scoped to who sent it: keys of different principals never meet. */
export type IdempotencyScope = { tenant: string; principal: string; key: string };

export type StoredResponse = { status: number; body: unknown };

export type IdempotencyEntry = {
  /** SHA-256 of the canonical request body the key was first used with. */
  fingerprint: string;
  state: "in_progress" | "done";
  response?: StoredResponse;
};

export type BeginRequest = {
  fingerprint: string;
  /** The id the message gets if this request takes the key afresh. */
  messageId: string;
  now: Date;
  /** How long the key is kept (its response replayed) at all. */
  ttlSeconds: number;
  /** How long this request holds the key in progress before a retry may take it over. */
  leaseSeconds: number;
};

/**
 * The key is this request's to run: the message id it stands for (chosen when the key was first
 * taken, kept across takeovers), and the lease that makes this request its holder.
 */
export type KeyClaim = {
  messageId: string;
  /** Epoch ms: the lease's end, and the token complete and release check they still hold it with. */
  leaseUntil: number;
  /** The key was taken over from an earlier request whose lease ran out: it may have left a record. */
  takenOver: boolean;
};

export type BeginResult = { claimed: true; claim: KeyClaim } | { claimed: false; entry: IdempotencyEntry };

export interface IdempotencyStore {
  /**
   * Takes the key for this request with a conditional write, so of two concurrent requests with
   * one key exactly one proceeds. An entry older than its TTL counts as absent; one still in
   * progress whose lease has passed is taken over (conditionally too, and only for the same
   * fingerprint), keeping its message id.
   */
  begin(scope: IdempotencyScope, request: BeginRequest): Promise<BeginResult>;
  /** Keeps the response, to be replayed to a repeat; false when the claim is no longer held. */
  complete(scope: IdempotencyScope, claim: KeyClaim, response: StoredResponse): Promise<boolean>;
  /** Gives the key back (nothing was accepted under it), unless another request holds it now. */
  release(scope: IdempotencyScope, claim: KeyClaim): Promise<void>;
}
