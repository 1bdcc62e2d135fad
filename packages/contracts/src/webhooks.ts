import * as z from "zod";
import { Channel } from "./record";
import { MessageStatus, RecipientStatus } from "./status";

/*
 * Status webhooks (Standard Webhooks, https://www.standardwebhooks.com): a tenant registers HTTPS
 * endpoints and the event types it wants; every status change of its messages is posted there,
 * signed with the endpoint's secret (`webhook-id`, `webhook-timestamp`, `webhook-signature`).
 */

/** The statuses a webhook can announce: every status but `sending` (a consumer's claim, not news). */
export const WEBHOOK_STATUSES = [
  "queued",
  "sent",
  "retrying",
  "failed",
  "dead_lettered",
  "delivery_delayed",
  "delivered",
  "bounced",
  "complained",
  "undelivered",
] as const satisfies readonly MessageStatus[];

export const WebhookEventType = z.enum(WEBHOOK_STATUSES.map((status) => `message.${status}` as const) as [
  `message.${(typeof WEBHOOK_STATUSES)[number]}`,
  ...`message.${(typeof WEBHOOK_STATUSES)[number]}`[],
]);
export type WebhookEventType = z.infer<typeof WebhookEventType>;
export const WEBHOOK_EVENT_TYPES: readonly WebhookEventType[] = WebhookEventType.options;

export const eventTypeOf = (status: MessageStatus): WebhookEventType | undefined =>
  (WEBHOOK_STATUSES as readonly MessageStatus[]).includes(status) ? (`message.${status}` as WebhookEventType) : undefined;

/** The signing secret's format: Standard Webhooks' `whsec_` + base64 of 32 random bytes. */
export const WEBHOOK_SECRET_PREFIX = "whsec_";

export const WEBHOOK_URL_MAX = 2048;

const WebhookUrl = z
  .string({ error: "is required" })
  .min(1, { error: "is required" })
  .max(WEBHOOK_URL_MAX, { error: `must be at most ${WEBHOOK_URL_MAX} characters` })
  .meta({ description: "Where events are posted: https (http only to loopback in the local stack)", example: "https://example.com/herald/events" });

const EventTypes = z
  .array(WebhookEventType, { error: "must be a list of event types" })
  .min(1, { error: "must name at least one event type" })
  .max(WEBHOOK_EVENT_TYPES.length)
  .refine((types) => new Set(types).size === types.length, { error: "must not repeat an event type" })
  .meta({ description: "The event types posted to this endpoint", example: ["message.sent", "message.delivered", "message.bounced"] });

const Description = z.string().max(200, { error: "must be at most 200 characters" });

export const CreateWebhookRequest = z
  .strictObject({
    url: WebhookUrl,
    event_types: EventTypes,
    description: Description.optional(),
    /** Full recipient addresses in the events instead of masked ones (a***@example.com). */
    include_recipients: z.boolean().default(false),
  })
  .meta({ id: "CreateWebhookRequest" });
export type CreateWebhookRequest = z.infer<typeof CreateWebhookRequest>;

export const UpdateWebhookRequest = z
  .strictObject({
    url: WebhookUrl.optional(),
    event_types: EventTypes.optional(),
    description: Description.optional(),
    include_recipients: z.boolean().optional(),
    /** true re-enables an endpoint Herald disabled after it failed for days (or one disabled by hand). */
    enabled: z.boolean().optional(),
  })
  // only when the fields themselves are fine: an unknown field is reported alone
  .refine((update) => Object.keys(update).length > 0, { error: "must change at least one field", when: (payload) => payload.issues.length === 0 })
  .meta({ id: "UpdateWebhookRequest" });
export type UpdateWebhookRequest = z.infer<typeof UpdateWebhookRequest>;

/** An endpoint as the API shows it: never its secret. */
export const Webhook = z
  .strictObject({
    id: z.string(),
    url: z.string(),
    event_types: z.array(WebhookEventType),
    description: z.string().optional(),
    include_recipients: z.boolean(),
    enabled: z.boolean(),
    /** Why it is disabled: by hand (PATCH enabled false), or after failing since `failing_since`. */
    disabled_reason: z.string().optional(),
    disabled_at: z.iso.datetime().optional(),
    /** The first failed delivery of the current run of failures; absent once one succeeds. */
    failing_since: z.iso.datetime().optional(),
    /** While a rotated-out secret still signs too (24 h after a rotation). */
    previous_secret_expires_at: z.iso.datetime().optional(),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
  })
  .meta({ id: "Webhook" });
export type Webhook = z.infer<typeof Webhook>;

/** The answer to a registration or a rotation: the only time the secret is shown. */
export const WebhookWithSecret = Webhook.extend({
  secret: z.string().meta({ description: "The signing secret (whsec_...): shown once, keep it" }),
}).meta({ id: "WebhookWithSecret" });
export type WebhookWithSecret = z.infer<typeof WebhookWithSecret>;

export const WebhookPage = z.strictObject({ items: z.array(Webhook), next_cursor: z.string().nullable() }).meta({ id: "WebhookPage" });
export type WebhookPage = z.infer<typeof WebhookPage>;

/** One recipient's outcome in an event: the address masked unless the endpoint opted in. */
export const WebhookRecipient = z.strictObject({
  recipient: z.string(),
  status: RecipientStatus,
  at: z.iso.datetime(),
  bounce_type: z.string().optional(),
  bounce_subtype: z.string().optional(),
});
export type WebhookRecipient = z.infer<typeof WebhookRecipient>;

/** What is posted (Standard Webhooks' {type, timestamp, data}): no content, ever. */
export const WebhookEvent = z
  .strictObject({
    type: WebhookEventType,
    /** When the change happened (the record's update), ISO 8601. */
    timestamp: z.iso.datetime(),
    data: z.strictObject({
      message_id: z.string(),
      status: MessageStatus,
      channel: Channel,
      created_at: z.iso.datetime(),
      /** The failure's stable code and reason (failed, dead_lettered, retrying). */
      code: z.string().optional(),
      reason: z.string().optional(),
      provider: z.string().optional(),
      provider_message_id: z.string().optional(),
      /** The recipients whose outcome this change is about (a provider event); empty for a status of the whole message. */
      recipients: z.array(WebhookRecipient),
      metadata: z.record(z.string(), z.string()).optional(),
    }),
  })
  .meta({ id: "WebhookEvent" });
export type WebhookEvent = z.infer<typeof WebhookEvent>;

export const WebhookAttempt = z.strictObject({
  at: z.iso.datetime(),
  /** The endpoint's HTTP status; absent when no answer came (refused address, timeout, connection error). */
  status_code: z.number().int().optional(),
  latency_ms: z.number().int().nonnegative(),
  /** Why it failed, in Herald's words ("timeout", "refused: private address", "redirect not followed"); never the response body. */
  error: z.string().optional(),
});
export type WebhookAttempt = z.infer<typeof WebhookAttempt>;

export const WebhookDeliveryStatus = z.enum(["pending", "succeeded", "failed", "dead_lettered", "skipped"]);
export type WebhookDeliveryStatus = z.infer<typeof WebhookDeliveryStatus>;

/** One event's delivery to one endpoint and its attempts. */
export const WebhookDelivery = z
  .strictObject({
    id: z.string(),
    webhook_id: z.string(),
    /** The `webhook-id` header: the same on every attempt and retry of this event. */
    event_id: z.string(),
    type: WebhookEventType,
    message_id: z.string(),
    status: WebhookDeliveryStatus,
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
    attempts: z.array(WebhookAttempt),
  })
  .meta({ id: "WebhookDelivery" });
export type WebhookDelivery = z.infer<typeof WebhookDelivery>;

export const WebhookDeliveryPage = z
  .strictObject({ items: z.array(WebhookDelivery), next_cursor: z.string().nullable() })
  .meta({ id: "WebhookDeliveryPage" });
export type WebhookDeliveryPage = z.infer<typeof WebhookDeliveryPage>;

/** The webhooks queue's body: one event for one endpoint. */
export const WebhookJob = z.strictObject({
  v: z.literal(1),
  tenant: z.string().min(1),
  webhook_id: z.string().min(1),
  delivery_id: z.string().min(1),
  event_id: z.string().min(1),
  event: WebhookEvent,
  /** Set by POST .../retry: a retry by hand, tried even though the delivery had ended. */
  manual: z.boolean().optional(),
});
export type WebhookJob = z.infer<typeof WebhookJob>;
