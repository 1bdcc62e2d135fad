import * as z from "zod";
import { CHANNELS } from "./channels";
import { MessageStatus, RecipientOutcome, StatusEvent } from "./status";

export const EmailContent = z.strictObject({
  channel: z.literal("email"),
  from: z.string(),
  to: z.array(z.string()),
  cc: z.array(z.string()).optional(),
  bcc: z.array(z.string()).optional(),
  reply_to: z.array(z.string()).optional(),
  subject: z.string(),
  html: z.string().optional(),
  text: z.string().optional(),
});
export type EmailContent = z.infer<typeof EmailContent>;

export const SmsContent = z.strictObject({
  channel: z.literal("sms"),
  to: z.string(),
  text: z.string(),
});
export type SmsContent = z.infer<typeof SmsContent>;

export const MessageContent = z.discriminatedUnion("channel", [EmailContent, SmsContent]);
export type MessageContent = z.infer<typeof MessageContent>;

export const Failure = z.strictObject({ code: z.string(), reason: z.string() });
export type Failure = z.infer<typeof Failure>;

/** What a caller sends on: the registry's channels (channels.ts). */
export const Channel = z.enum(CHANNELS);

/** How carriers split an SMS, counted at ingest. */
export const SmsSegmentInfo = z.strictObject({ encoding: z.enum(["GSM-7", "UCS-2"]), segments: z.number().int(), characters: z.number().int() });

/**
 * store_secure content at rest: AES-256-GCM under a KMS data key (wrapped in `key`), with the
 * message id and recipients bound as additional authenticated data.
 */
export const Sealed = z.strictObject({
  v: z.literal(1),
  alg: z.literal("AES-256-GCM"),
  key: z.string(),
  key_id: z.string(),
  iv: z.string(),
  tag: z.string(),
  ciphertext: z.string(),
});
export type Sealed = z.infer<typeof Sealed>;
/**
 * The message as stored: one item per message. A store_secure message never has `content`, only
 * `sealed` once the secure-store consumer has written it; an erased one has neither.
 */
export const MessageRecord = z.strictObject({
  id: z.string(),
  tenant: z.string(),
  principal: z.string(),
  channel: Channel,
  status: MessageStatus,
  created_at: z.iso.datetime(),
  updated_at: z.iso.datetime(),
  send_at: z.iso.datetime().optional(),
  store_secure: z.boolean(),
  /** Canonical recipients: the keys under which the message appears in a recipient's history. */
  recipients: z.array(z.string()),
  content: MessageContent.optional(),
  sealed: Sealed.optional(),
  sms: SmsSegmentInfo.optional(),
  erased_at: z.iso.datetime().optional(),
  metadata: z.record(z.string(), z.string()).optional(),
  /** Which transport or provider accepted it ("ses", "smtp", "twilio", "sns"). */
  provider: z.string().optional(),
  provider_message_id: z.string().optional(),
  /** The provider's final answer where it has one (an SMTP relay's reply to DATA), addresses masked. */
  provider_reply: z.string().optional(),
  failure: Failure.optional(),
  attempts: z.number().int().nonnegative(),
  history: z.array(StatusEvent),
  /**
   * Per canonical recipient, the latest truth the provider's events tell (see
   * @herald/messages applyProviderEvent); the message status is derived from these.
   */
  outcomes: z.record(z.string(), RecipientOutcome).optional(),
});
export type MessageRecord = z.infer<typeof MessageRecord>;
