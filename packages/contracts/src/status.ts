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
});
export type StatusEvent = z.infer<typeof StatusEvent>;
