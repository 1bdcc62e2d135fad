import type { MessageRecord, MessageStatus, RecipientOutcome, RecipientStatus, StatusEvent } from "@herald/contracts";

/**
 * One provider event about a sent message, as the events consumer (SES) or the Twilio callback
 * route reads it: what became of some of its recipients, and when.
 */
export type ProviderEvent = {
  provider: string;
  status: Exclude<RecipientStatus, "suppressed">;
  /** The event's own time; undefined when the provider gives none (Twilio's status callbacks). */
  at: Date | undefined;
  /** Canonical recipients it is about; every recipient of the message when absent (SES's Reject). */
  recipients?: readonly string[];
  bounceType?: string;
  bounceSubtype?: string;
  /** A stable code (a Twilio error code, `email.rejected`); never diagnostic text. */
  code?: string;
  /** For a failure of the whole message (Reject, RenderingFailure): the record's failure reason. */
  reason?: string;
};

/** What applying an event changes on the record; only what differs is written. */
export type OutcomeChange = {
  /** The whole outcomes map after the event. */
  outcomes: Record<string, RecipientOutcome>;
  /** The derived message status when the outcomes decide one. */
  status?: MessageStatus;
  failure?: { code: string; reason: string };
  /** The history entry for the event: its time, type and bounce type, no address. */
  event: StatusEvent;
  /** How many recipients' outcomes it changed. */
  changed: number;
};

/*
 * Final events beat non-final ones whatever order they arrive in: a Delivery received after a
 * Bounce of the same recipient does not undo it, a complaint after a delivery does count. Among
 * equals the later event (by its own timestamp) wins; the same event twice changes nothing.
 * `suppressed` (left out before sending) is never overridden: nothing was sent to it.
 */
const RANK: Record<RecipientStatus, number> = {
  delivery_delayed: 1,
  delivered: 2,
  bounced: 3,
  complained: 3,
  undelivered: 3,
  failed: 3,
  suppressed: 4,
};

/** Which outcome is the truth for one recipient: the new one, unless the old one stands. */
export function supersedes(next: RecipientOutcome, current: RecipientOutcome | undefined, nextHasTime: boolean): boolean {
  if (!current) return true;
  const a = RANK[next.status];
  const b = RANK[current.status];
  if (a !== b) return a > b;
  // Equal rank: only a later event with a time of its own replaces it (a duplicate never does).
  return nextHasTime && next.at > current.at;
}

/**
 * The record's change for one provider event, or undefined when it changes nothing (a duplicate,
 * an older or weaker event, or one about no recipient of this message).
 */
export function applyProviderEvent(record: MessageRecord, event: ProviderEvent, receivedAt: Date): OutcomeChange | undefined {
  const at = (event.at ?? receivedAt).toISOString();
  const about = event.recipients ? event.recipients.filter((r) => record.recipients.includes(r)) : record.recipients;
  const outcome: RecipientOutcome = {
    status: event.status,
    at,
    provider: event.provider,
    ...(event.bounceType !== undefined && { bounce_type: event.bounceType }),
    ...(event.bounceSubtype !== undefined && { bounce_subtype: event.bounceSubtype }),
    ...(event.code !== undefined && { code: event.code }),
  };
  const outcomes: Record<string, RecipientOutcome> = { ...record.outcomes };
  let changed = 0;
  for (const recipient of new Set(about)) {
    if (!supersedes(outcome, outcomes[recipient], event.at !== undefined)) continue;
    outcomes[recipient] = outcome;
    changed += 1;
  }
  if (changed === 0) return undefined;
  const status = deriveStatus(record.recipients, outcomes);
  return {
    outcomes,
    ...(status !== undefined && { status }),
    ...(event.recipients === undefined && event.code !== undefined && { failure: { code: event.code, reason: event.reason ?? event.code } }),
    event: {
      status: event.status,
      at,
      provider: event.provider,
      ...(event.bounceType !== undefined && { bounce_type: event.bounceType }),
      ...(event.bounceSubtype !== undefined && { bounce_subtype: event.bounceSubtype }),
      ...(event.code !== undefined && { code: event.code }),
      recipients: changed,
    },
    changed,
  };
}

/**
 * The message status its recipients' outcomes decide: `complained` or `bounced` when any
 * recipient did (then `undelivered`, `failed`), `delivered` when every recipient that was sent
 * to was delivered, `delivery_delayed` while one is delayed and none is final; undefined while
 * the outcomes decide nothing yet (the status stays what the consumer wrote, `sent`).
 */
export function deriveStatus(recipients: readonly string[], outcomes: Record<string, RecipientOutcome>): MessageStatus | undefined {
  const sentTo = recipients.map((r) => outcomes[r]?.status).filter((s) => s !== "suppressed");
  for (const status of ["complained", "bounced", "undelivered", "failed"] as const) if (sentTo.includes(status)) return status;
  if (sentTo.length > 0 && sentTo.every((s) => s === "delivered")) return "delivered";
  if (sentTo.includes("delivery_delayed")) return "delivery_delayed";
  return undefined;
}
