import { createHash } from "node:crypto";
import { AppError, ValidationError, type Clock, type Logger } from "@herald/platform";
import type { IdempotencyScope, IdempotencyStore, KeyClaim, StoredResponse } from "../ports/idempotency-store";

export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

/**
 * How long a request holds its key in progress before a retry may take it over
 * (HERALD_IDEMPOTENCY_LEASE_SECONDS): well past the longest a request runs (the ingest
 * function's timeout is 10 s, API Gateway's 30 s), so a live request is not taken over, and short
 * enough that a key whose request died, timed out or could not complete it is not stuck for the
 * key's 24 h.
 */
export const IDEMPOTENCY_LEASE_SECONDS = 60;

/** Printable ASCII, as the IETF draft and Stripe use; CR/LF can never reach a header or log. */
const KEY = /^[\x21-\x7e]{1,255}$/;

export function idempotencyKey(value: string | undefined, path = "idempotency-key"): string | undefined {
  if (value === undefined) return undefined;
  if (!KEY.test(value)) throw new ValidationError("Invalid Idempotency-Key", [{ path, message: "must be 1-255 printable ASCII characters" }]);
  return value;
}

/** Key-sorted JSON, hashed: the same body however its keys are ordered. */
export function fingerprint(body: unknown): string {
  const canonical = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(canonical)
      : value && typeof value === "object"
        ? Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]))
        : value;
  return createHash("sha256").update(JSON.stringify(canonical(body)), "utf8").digest("hex");
}

export type ClaimOptions = { clock: Clock; leaseSeconds: number; messageId: string };

/**
 * Claims the key for this body: the claim when it is ours to run (a fresh key, or one taken over
 * after its lease ran out), the first response when this is a repeat of a finished request. The
 * same body under the key means the same request; another body is a 409, as is a repeat while
 * the first still holds the key (with Retry-After). Used by the single send and by each item of
 * a batch. `messageId` is the id a fresh key's message gets; a key taken over keeps its own.
 */
export async function claimKey(
  store: IdempotencyStore,
  scope: IdempotencyScope,
  body: unknown,
  options: ClaimOptions,
): Promise<{ claim: KeyClaim } | { replay: StoredResponse }> {
  const print = fingerprint(body);
  const begun = await store.begin(scope, {
    fingerprint: print,
    messageId: options.messageId,
    now: options.clock.now(),
    ttlSeconds: IDEMPOTENCY_TTL_SECONDS,
    leaseSeconds: options.leaseSeconds,
  });
  if (begun.claimed) return { claim: begun.claim };
  if (begun.entry.fingerprint !== print) {
    throw new AppError("idempotency.key_reused", "This Idempotency-Key was used with a different body", { status: 409 });
  }
  if (begun.entry.state !== "done" || !begun.entry.response) {
    throw new AppError("idempotency.in_progress", "A request with this Idempotency-Key is still being processed", {
      status: 409,
      headers: { "retry-after": "1" },
    });
  }
  return { replay: begun.entry.response };
}

/**
 * Keeps the response for repeats. A failure here loses nothing: the message is accepted, and
 * once the lease has run out a retry takes the key over and answers from the message's record.
 */
export async function completeKey(
  store: IdempotencyStore,
  scope: IdempotencyScope,
  claim: KeyClaim,
  response: StoredResponse,
  logger: Logger,
): Promise<void> {
  try {
    if (!(await store.complete(scope, claim, response))) logger.warn("idempotency key was taken over before completion", { messageId: claim.messageId });
  } catch (error) {
    logger.warn("idempotency key not completed; its lease frees it", { messageId: claim.messageId, error: errorName(error) });
  }
}

/** Gives the key back after a request that accepted nothing; if that fails, the lease frees it. */
export async function releaseKey(store: IdempotencyStore, scope: IdempotencyScope, claim: KeyClaim, logger: Logger): Promise<void> {
  try {
    await store.release(scope, claim);
  } catch (error) {
    logger.warn("idempotency key not released; its lease frees it", { messageId: claim.messageId, error: errorName(error) });
  }
}

const errorName = (error: unknown) => (error instanceof Error ? error.name : "unknown");
