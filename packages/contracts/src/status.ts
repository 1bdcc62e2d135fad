import * as z from "zod";

export const MessageStatus = z.enum([
  "queued",
  "sending",
  "sent",
  "failed",
  "retrying",
  "dead_lettered",
  "delivered",
  "bounced",
  "complained",
  "delivery_delayed",
  "undelivered",
]);
export type MessageStatus = z.infer<typeof MessageStatus>;

/** Statuses after which a consumer must never send again. */
export const TERMINAL_STATUSES = [
  "sent",
  "failed",
  "dead_lettered",
  "delivered",
  "bounced",
  "complained",
  "delivery_delayed",
  "undelivered",
] as const satisfies readonly MessageStatus[];

export function isTerminal(status: MessageStatus): boolean {
  return (TERMINAL_STATUSES as readonly MessageStatus[]).includes(status);
}

export const StatusEvent = z.strictObject({
  status: MessageStatus,
  at: z.iso.datetime(),
  /** A stable dotted code and a human reason for failures; never content or addresses. */
  code: z.string().optional(),
  reason: z.string().optional(),
  /** The transport or provider this event is about ("ses", "smtp", "twilio", "sns"). */
  provider: z.string().optional(),
  /** A provider event's bounce type and subtype (SES: "Permanent" / "General"); never its diagnostic text. */
  bounce_type: z.string().optional(),
  bounce_subtype: z.string().optional(),
  /** How many recipients a provider event was about (never which: that is in `outcomes`). */
  recipients: z.number().int().nonnegative().optional(),
});
export type StatusEvent = z.infer<typeof StatusEvent>;

/**
 * What became of one recipient after the provider accepted the message, from its events (SES's
 * Delivery, Bounce, Complaint, DeliveryDelay; Twilio's status callbacks), or `suppressed` when
 * Herald left the address out because it is on the tenant's suppression list.
 */
export const RecipientStatus = z.enum(["delivery_delayed", "delivered", "bounced", "complained", "undelivered", "failed", "suppressed"]);
export type RecipientStatus = z.infer<typeof RecipientStatus>;

export const RecipientOutcome = z.strictObject({
  status: RecipientStatus,
  /** The event's own time (the provider's timestamp), not when Herald received it. */
  at: z.iso.datetime(),
  provider: z.string().optional(),
  bounce_type: z.string().optional(),
  bounce_subtype: z.string().optional(),
  /** A stable code for failures (a Twilio error code, `message.suppressed`); never diagnostic text. */
  code: z.string().optional(),
});
export type RecipientOutcome = z.infer<typeof RecipientOutcome>;
