import type { MessageRecord, MessageStatus, Sealed, StatusEvent } from "@herald/contracts";
import type { OutcomeChange } from "./outcomes";

export type ListByRecipientQuery = {
  tenant: string;
  /** Canonical recipient (lower-case address or E.164 number). */
  recipient: string;
  /** When set, only messages this principal created (role messages:read without read-all). */
  principal?: string;
  limit: number;
  cursor?: string;
};

export type MessagePageResult = { items: MessageRecord[]; nextCursor: string | null };

export type Transition = {
  to: MessageStatus;
  at: Date;
  /** Only move when the record is in one of these statuses; otherwise nothing is written. */
  from?: readonly MessageStatus[];
  code?: string;
  reason?: string;
  /** The transport or provider the outcome is about; recorded on the message and on this event. */
  provider?: string;
  providerMessageId?: string;
  providerReply?: string;
  /** Events that happened before this one (e.g. a failed attempt at another transport), appended first. */
  earlier?: readonly StatusEvent[];
};

/** What marking a dead-lettered message needs: whose it is, when, and why (see MessageStore.deadLetter). */
export type DeadLetter = { tenant: string; at: Date; code: string; reason: string };

export type ClaimResult =
  | { claimed: true; record: MessageRecord }
  | { claimed: false; record: MessageRecord | undefined };

/**
 * The message store every service shares. Adapters: DynamoDB, and in-memory for unit tests.
 *
 * The records `get`, `listByRecipient` and `claim` return are whole. Those `transition`,
 * `deadLetter` and `applyEvent` return (and the one `decide` is given) are the status side of the
 * message: an adapter may leave out content and sealed content it keeps apart (the DynamoDB one
 * does when they are big), as reading them back would cost a read per status write.
 */
export interface MessageStore {
  /**
   * Writes the record and its recipient-history entries; fails if the id exists. If the entries
   * cannot all be written, what was written is removed again before the error is thrown.
   */
  create(record: MessageRecord): Promise<void>;
  get(id: string): Promise<MessageRecord | undefined>;
  listByRecipient(query: ListByRecipientQuery): Promise<MessagePageResult>;
  /**
   * Takes the message for sending: queued/retrying → sending, or retakes a `sending` claim whose
   * lease ran out (its worker died). A conditional write, so two workers never both win.
   */
  claim(id: string, now: Date, leaseSeconds: number): Promise<ClaimResult>;
  /** Moves the status (conditionally when `from` is given); undefined if the condition failed. */
  transition(id: string, change: Transition): Promise<MessageRecord | undefined>;
  /**
   * Marks `dead_lettered` a message of this tenant its queue gave up on (it is in the dead-letter
   * queue) that no consumer will finish: queued or retrying, or sending under a claim whose lease
   * ran out (its worker died). A conditional write: a final message (sent, failed, already
   * dead_lettered, ...), one a live claim still holds, or another tenant's is left alone
   * (undefined). A failure the record already has (the provider's last answer) is kept; a record
   * without one gets this code and reason, which the history event carries either way.
   */
  deadLetter(id: string, change: DeadLetter): Promise<MessageRecord | undefined>;
  /**
   * Applies what a provider's event says of the message's recipients (see applyProviderEvent):
   * reads the record, asks `decide` for the change, and writes only its outcomes, derived status,
   * failure and history entry, on condition that no other event or erasure changed the outcomes
   * since (else reads again). The record stays untouched when `decide` returns undefined;
   * `record` is undefined for an unknown message.
   */
  applyEvent(id: string, decide: (record: MessageRecord) => OutcomeChange | undefined): Promise<AppliedEvent>;
  /**
   * Stores the sealed content of a store_secure message once: false when it is already sealed,
   * erased, or gone (so a redelivered seal changes nothing). The record's status fields, updated_at
   * included, are left alone: sealing changes no status, and a write to them would cost one.
   */
  seal(id: string, sealed: Sealed, at: Date): Promise<boolean>;
  /**
   * Erases the tenant's messages to this recipient: removes their content (plain and sealed),
   * metadata and provider reply, takes the address out of `recipients`, marks them erased, then
   * deletes the recipient's history entries, so nothing left names the address. Writes an audit
   * entry (who, when, how many) under the recipient's HMAC, never the address. Safe to repeat:
   * an erasure that stopped half way is finished by the next, which also erases what was sent to
   * the recipient since.
   */
  eraseRecipient(request: EraseRequest): Promise<ErasureResult>;
}

export type AppliedEvent = { record: MessageRecord | undefined; change: OutcomeChange | undefined };

export type EraseRequest = {
  tenant: string;
  /** Canonical recipient (lower-case address or E.164 number). */
  recipient: string;
  /** The recipient's keyed digest (HMAC-SHA-256, hex): the only trace of it the audit keeps. */
  recipientHmac: string;
  principal: string;
  at: Date;
};

export type ErasureResult = {
  /** The recipient's messages erased by this request (0 when an earlier one left nothing). */
  erased: number;
  /** When this recipient of this tenant was first erased (this request's time if it is the first). */
  firstErasedAt: string;
};

/** The history event a transition appends. */
export function transitionEvent(change: Transition): StatusEvent {
  return {
    status: change.to,
    at: change.at.toISOString(),
    ...(change.code !== undefined && { code: change.code }),
    ...(change.reason !== undefined && { reason: change.reason }),
    ...(change.provider !== undefined && { provider: change.provider }),
  };
}

export class InvalidCursorError extends Error {
  constructor() {
    super("invalid cursor");
    this.name = "InvalidCursorError";
  }
}

/** Cursors are opaque to callers: the sort key of the last item returned, base64url-encoded. */
export function encodeCursor(sortKey: string): string {
  return Buffer.from(JSON.stringify({ k: sortKey }), "utf8").toString("base64url");
}

export function decodeCursor(cursor: string): string {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (value && typeof value === "object" && "k" in value && typeof value.k === "string" && SORT_KEY.test(value.k)) {
      return value.k;
    }
  } catch {
    // fall through
  }
  throw new InvalidCursorError();
}

/** History entries sort by creation time, then id, so equal timestamps still have one order. */
export function historySortKey(record: Pick<MessageRecord, "created_at" | "id">): string {
  return `${record.created_at}#${record.id}`;
}
const SORT_KEY = /^\d{4}-\d{2}-\d{2}T[\d:.]+Z#[0-9a-f-]{36}$/;
