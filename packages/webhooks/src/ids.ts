import { createHash, randomBytes } from "node:crypto";

/** A new endpoint's id: `wh_` + 24 hex characters of randomness. */
export const newWebhookId = (): string => `wh_${randomBytes(12).toString("hex")}`;

/**
 * The `webhook-id` of one change of one message: derived from what identifies the change (the
 * stream record's eventID), so a redelivered change gets the same id and receivers can de-duplicate.
 * The same for every endpoint the change goes to, as Standard Webhooks' message id is.
 */
export const eventIdFor = (changeId: string): string => `evt_${createHash("sha256").update(changeId).digest("hex").slice(0, 32)}`;

/**
 * One event's delivery to one endpoint: `del_`, the event's time in base-36 milliseconds (9
 * characters, fixed width until the year 5188, so ids sort by time), then a digest of event and
 * endpoint, so the same change fanned out twice is the same delivery.
 */
export function deliveryIdFor(eventId: string, webhookId: string, at: Date): string {
  const time = at.getTime().toString(36).padStart(9, "0");
  return `del_${time}${createHash("sha256").update(`${eventId}\u0000${webhookId}`).digest("hex").slice(0, 20)}`;
}

export const WEBHOOK_ID = /^wh_[0-9a-f]{24}$/;
export const DELIVERY_ID = /^del_[0-9a-z]{29}$/;
