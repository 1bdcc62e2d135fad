import * as z from "zod";
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from "./limits";
import { Channel, Failure, SmsSegmentInfo } from "./record";
import { MessageStatus, RecipientOutcome, StatusEvent } from "./status";
import { Suppression } from "./suppression";

export const MessageId = z.uuid({ error: "must be a message id (UUID)" });

export const Accepted = z
  .strictObject({
    id: z.string(),
    status: z.enum(["queued", "failed"]).meta({
      description: '"queued"; "failed" (reason `suppressed`, nothing sent) when every recipient is on the suppression list.',
    }),
    channel: Channel,
    created_at: z.iso.datetime(),
    suppressed: z
      .array(z.string())
      .optional()
      .meta({ description: "Recipients left out because they are on the tenant's suppression list (GET /v1/suppressions/{address})." }),
  })
  .meta({ id: "Accepted" });
export type Accepted = z.infer<typeof Accepted>;

export const MessageView = z
  .strictObject({
    id: z.string(),
    channel: Channel,
    status: MessageStatus,
    principal: z.string().meta({ description: "Who sent it (API key principal or token subject)" }),
    tenant: z.string(),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
    send_at: z.iso.datetime().optional(),
    store_secure: z.boolean(),
    erased: z.boolean(),
    erased_at: z.iso.datetime().optional(),
    from: z.string().optional(),
    to: z.array(z.string()).optional().meta({ description: "Email addresses, or the one phone number of an SMS." }),
    cc: z.array(z.string()).optional(),
    bcc: z.array(z.string()).optional(),
    reply_to: z.array(z.string()).optional(),
    subject: z.string().optional(),
    html: z.string().optional(),
    text: z.string().optional(),
    sms: SmsSegmentInfo.optional(),
    metadata: z.record(z.string(), z.string()).optional(),
    provider: z.string().optional().meta({ description: 'The transport that accepted it: "ses", "smtp", "twilio" or "sns".' }),
    provider_message_id: z
      .string()
      .optional()
      .meta({ description: "The provider's id for it: SES's message id, Twilio's SID, or the Message-ID header sent to an SMTP relay." }),
    provider_reply: z.string().optional().meta({ description: "An SMTP relay's final reply to the message (e.g. `250 2.0.0 Ok: queued as 4Xyz`)." }),
    failure: Failure.optional(),
    attempts: z.number().int(),
    history: z.array(StatusEvent),
    outcomes: z
      .record(z.string(), RecipientOutcome)
      .optional()
      .meta({ description: "Per recipient, what the provider's events say became of it (delivered, bounced, complained, ...)." }),
  })
  .meta({ id: "Message" });
export type MessageView = z.infer<typeof MessageView>;

/** The plaintext of a store_secure message: the content fields of a message. */
export const DecryptedMessage = MessageView.pick({
  id: true,
  channel: true,
  from: true,
  to: true,
  cc: true,
  bcc: true,
  reply_to: true,
  subject: true,
  html: true,
  text: true,
}).meta({ id: "DecryptedMessage" });
export type DecryptedMessage = z.infer<typeof DecryptedMessage>;

export const MessageSummary = z
  .strictObject({
    id: z.string(),
    channel: Channel,
    status: MessageStatus,
    principal: z.string(),
    tenant: z.string(),
    created_at: z.iso.datetime(),
    subject: z.string().optional(),
    store_secure: z.boolean(),
  })
  .meta({ id: "MessageSummary" });
export type MessageSummary = z.infer<typeof MessageSummary>;

export const MessagePage = z
  .strictObject({ items: z.array(MessageSummary), next_cursor: z.string().nullable() })
  .meta({ id: "MessagePage" });
export type MessagePage = z.infer<typeof MessagePage>;

export const ListMessagesQuery = z.strictObject({
  recipient: z.string().min(1, { error: "is required" }).max(254),
  limit: z.coerce
    .number({ error: "must be a number" })
    .int({ error: "must be an integer" })
    .min(1, { error: "must be at least 1" })
    .max(MAX_PAGE_SIZE, { error: `must be at most ${MAX_PAGE_SIZE}` })
    .default(DEFAULT_PAGE_SIZE),
  cursor: z.string().max(2048).optional(),
});
export type ListMessagesQuery = z.infer<typeof ListMessagesQuery>;

/** POST /v1/recipients/erase: the recipient travels in the body, never in a URL that gets logged. */
export const EraseRecipientRequest = z
  .strictObject({
    recipient: z
      .string({ error: "is required" })
      .min(1, { error: "is required" })
      .max(254, { error: "must be at most 254 characters" })
      .meta({ description: "An email address or a phone number with its country code, as messages were sent to it", example: "alice@example.com" }),
  })
  .meta({ id: "EraseRecipientRequest" });
export type EraseRecipientRequest = z.infer<typeof EraseRecipientRequest>;

export const Erasure = z
  .strictObject({
    erased: z.number().int().meta({ description: "The recipient's messages erased by this request (0 when an earlier one left nothing)" }),
    at: z.iso.datetime(),
    first_erased_at: z.iso.datetime().meta({
      description: "When this recipient was first erased in the tenant (this request's `at` unless an earlier one did): from the audit, which holds the recipient only as an HMAC",
    }),
  })
  .meta({ id: "Erasure" });
export type Erasure = z.infer<typeof Erasure>;

/** RFC 9457 problem details, with `errors` naming each bad field. */
export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    code: z.string(),
    errors: z.array(z.strictObject({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: "Problem" });
export type Problem = z.infer<typeof Problem>;

export const MAX_BATCH_ITEMS = 100;

export const BatchRequest = z
  .strictObject({
    items: z
      .array(
        z.strictObject({
          idempotency_key: z.string().optional().meta({ description: "As the Idempotency-Key header, for this item." }),
          message: z.unknown().meta({ description: "A SendMessage (email or sms); validated per item." }),
        }),
      )
      .min(1, { error: "at least one item" })
      .max(MAX_BATCH_ITEMS, { error: `at most ${MAX_BATCH_ITEMS} items` }),
  })
  .meta({ id: "BatchRequest" });
export type BatchRequest = z.infer<typeof BatchRequest>;

export const BatchItemResult = z
  .object({
    index: z.number().int(),
    status: z.number().int().meta({ description: "202 queued; 400/409 refused; 503 not queued (retry)" }),
    id: z.string().optional(),
    channel: Channel.optional(),
    created_at: z.iso.datetime().optional(),
    replayed: z.boolean().optional(),
    message_status: z.enum(["queued", "failed"]).optional().meta({ description: 'With 202: "failed" when every recipient is suppressed.' }),
    suppressed: z.array(z.string()).optional(),
    error: z
      .object({ code: z.string(), detail: z.string(), errors: z.array(z.object({ path: z.string(), message: z.string() })).optional() })
      .optional(),
  })
  .meta({ id: "BatchItemResult" });
export type BatchItemResult = z.infer<typeof BatchItemResult>;

export const BatchResponse = z.object({ results: z.array(BatchItemResult) }).meta({ id: "BatchResponse" });

export const SuppressionPage = z
  .strictObject({ items: z.array(Suppression), next_cursor: z.string().nullable() })
  .meta({ id: "SuppressionPage" });
export type SuppressionPage = z.infer<typeof SuppressionPage>;

export const ListSuppressionsQuery = z.strictObject({
  limit: ListMessagesQuery.shape.limit,
  cursor: z.string().max(2048).optional(),
});

export const AddSuppressionRequest = z
  .strictObject({
    address: z
      .string({ error: "is required" })
      .min(1, { error: "is required" })
      .max(254, { error: "must be at most 254 characters" })
      .meta({ description: "An email address or an E.164 phone number", example: "alice@example.com" }),
    note: z.string().max(200, { error: "must be at most 200 characters" }).optional(),
  })
  .meta({ id: "AddSuppressionRequest" });
export type AddSuppressionRequest = z.infer<typeof AddSuppressionRequest>;
