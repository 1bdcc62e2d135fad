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
 * Runs `run` at most once per (tenant, principal, key) within 24 h: a repeat with the same body
 * gets the first response back; with another body, 409; while the first is still running, 409
 * with Retry-After. A request that fails (nothing accepted) gives the key back.
 */
export async function idempotent(
  store: IdempotencyStore,
  scope: IdempotencyScope | undefined,
  body: unknown,
  clock: Clock,
  run: () => Promise<StoredResponse>,
): Promise<Outcome> {
  if (!scope) return { ...(await run()), replayed: false };
  const print = fingerprint(body);
  const begun = await store.begin(scope, print, clock.now(), IDEMPOTENCY_TTL_SECONDS);
  if (!begun.claimed) {
    if (begun.entry.fingerprint !== print) {
      throw new AppError("idempotency.key_reused", "This Idempotency-Key was used with a different body", { status: 409 });
    }
    if (begun.entry.state !== "done" || !begun.entry.response) {
      throw new AppError("idempotency.in_progress", "A request with this Idempotency-Key is still being processed", {
        status: 409,
        headers: { "retry-after": "1" },
      });
    }
    return { ...begun.entry.response, replayed: true };
  }
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
