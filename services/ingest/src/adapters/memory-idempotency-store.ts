import type {
  BeginRequest,
  BeginResult,
  IdempotencyEntry,
  IdempotencyScope,
  IdempotencyStore,
  KeyClaim,
  StoredResponse,
} from "../ports/idempotency-store";

type Stored = IdempotencyEntry & { messageId: string; leaseUntil: number; expiresAt: number };

/** In-process IdempotencyStore with the DynamoDB adapter's semantics, for unit tests. */
export class MemoryIdempotencyStore implements IdempotencyStore {
  readonly entries = new Map<string, Stored>();

  async begin(scope: IdempotencyScope, request: BeginRequest): Promise<BeginResult> {
    const id = JSON.stringify(scope);
    const existing = this.entries.get(id);
    const nowMs = request.now.getTime();
    const leaseUntil = nowMs + request.leaseSeconds * 1000;
    if (!existing || existing.expiresAt < Math.floor(nowMs / 1000)) {
      this.entries.set(id, {
        fingerprint: request.fingerprint,
        state: "in_progress",
        messageId: request.messageId,
        leaseUntil,
        expiresAt: Math.floor(nowMs / 1000) + request.ttlSeconds,
      });
      return { claimed: true, claim: { messageId: request.messageId, leaseUntil, takenOver: false } };
    }
    if (existing.state === "in_progress" && existing.fingerprint === request.fingerprint && existing.leaseUntil < nowMs) {
      existing.leaseUntil = leaseUntil;
      return { claimed: true, claim: { messageId: existing.messageId, leaseUntil, takenOver: true } };
    }
    const { fingerprint, state, response } = structuredClone(existing);
    return { claimed: false, entry: { fingerprint, state, ...(response && { response }) } };
  }

  async complete(scope: IdempotencyScope, claim: KeyClaim, response: StoredResponse): Promise<boolean> {
    const entry = this.#held(scope, claim);
    if (!entry) return false;
    Object.assign(entry, { state: "done", response: structuredClone(response) });
    return true;
  }

  async release(scope: IdempotencyScope, claim: KeyClaim): Promise<void> {
    if (this.#held(scope, claim)) this.entries.delete(JSON.stringify(scope));
  }

  #held(scope: IdempotencyScope, claim: KeyClaim): Stored | undefined {
    const entry = this.entries.get(JSON.stringify(scope));
    return entry?.state === "in_progress" && entry.leaseUntil === claim.leaseUntil ? entry : undefined;
  }
}
