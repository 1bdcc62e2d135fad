import { createHash } from "node:crypto";
import { AppError, ValidationError, type Clock } from "@herald/platform";
import type { IdempotencyScope, IdempotencyStore, StoredResponse } from "../ports/idempotency-store";

export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

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

export type Outcome = StoredResponse & { replayed: boolean };

/**
 * Claims the key for this body: undefined when it is ours to run, the first response when this
 * is a repeat of a finished request. The same body under the key means the same request; another
 * body is a 409, as is a repeat while the first is still running (with Retry-After). Used by the
 * single send (through `idempotent`) and by each item of a batch.
 */
export async function claimKey(
  store: IdempotencyStore,
  scope: IdempotencyScope,
  body: unknown,
  clock: Clock,
): Promise<StoredResponse | undefined> {
  const print = fingerprint(body);
  const begun = await store.begin(scope, print, clock.now(), IDEMPOTENCY_TTL_SECONDS);
  if (begun.claimed) return undefined;
  if (begun.entry.fingerprint !== print) {
    throw new AppError("idempotency.key_reused", "This Idempotency-Key was used with a different body", { status: 409 });
  }
  if (begun.entry.state !== "done" || !begun.entry.response) {
    throw new AppError("idempotency.in_progress", "A request with this Idempotency-Key is still being processed", {
      status: 409,
      headers: { "retry-after": "1" },
    });
  }
  return begun.entry.response;
}

/**
 * Runs `run` at most once per (tenant, principal, key) within 24 h: a repeat with the same body
 * gets the first response back (see claimKey for the 409s). A request that fails (nothing
 * accepted) gives the key back.
 */
export async function idempotent(
  store: IdempotencyStore,
  scope: IdempotencyScope | undefined,
  body: unknown,
  clock: Clock,
  run: () => Promise<StoredResponse>,
): Promise<Outcome> {
  if (!scope) return { ...(await run()), replayed: false };
  const first = await claimKey(store, scope, body, clock);
  if (first) return { ...first, replayed: true };
  let response: StoredResponse;
  try {
    response = await run();
  } catch (error) {
    // Nothing was accepted: give the key back, so the same request may be sent again.
    await store.release(scope);
    throw error;
  }
  await store.complete(scope, response);
  return { ...response, replayed: false };
}
