import type { Suppression } from "@herald/contracts";
import { InvalidCursorError } from "./message-store";

export type SuppressionPageResult = { items: Suppression[]; nextCursor: string | null };

/**
 * A tenant's suppression list: the addresses and numbers it no longer sends to (a permanent
 * bounce, a complaint, an unsubscribe, or added by hand). Keyed by the canonical recipient.
 * Adapters: DynamoDB (@herald/messages/dynamo) and in-memory (@herald/messages/memory).
 */
export interface SuppressionList {
  /** Which of these canonical recipients the tenant suppresses (one read for all of them). */
  find(tenant: string, recipients: readonly string[]): Promise<Set<string>>;
  get(tenant: string, recipient: string): Promise<Suppression | undefined>;
  /** Adds it unless it is there already (the first cause is kept); true when this call added it. */
  add(tenant: string, entry: Suppression): Promise<boolean>;
  /** Removes it; false when it was not there. */
  remove(tenant: string, recipient: string): Promise<boolean>;
  /** In address order, `limit` at a time. */
  list(tenant: string, page: { limit: number; cursor?: string | undefined }): Promise<SuppressionPageResult>;
}

/** Suppression cursors: the last address returned, opaque to callers. */
export function encodeSuppressionCursor(address: string): string {
  return Buffer.from(JSON.stringify({ a: address }), "utf8").toString("base64url");
}

export function decodeSuppressionCursor(cursor: string): string {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (value && typeof value === "object" && "a" in value && typeof value.a === "string" && value.a.length > 0 && value.a.length <= 254) {
      return value.a;
    }
  } catch {
    // fall through
  }
  throw new InvalidCursorError();
}
