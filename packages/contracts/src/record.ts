import { z } from "zod";
import { MessageStatus, StatusEvent } from "./status";

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

export const MessageContent = z.discriminatedUnion("channel", [EmailContent]);
export type MessageContent = z.infer<typeof MessageContent>;

export const Failure = z.strictObject({ code: z.string(), reason: z.string() });
export type Failure = z.infer<typeof Failure>;

/**
 * The message as stored: one item per message. `content` is absent for a store_secure message
 * (its ciphertext lives apart) and after an erasure.
 */
export const MessageRecord = z.strictObject({
  id: z.string(),
  tenant: z.string(),
  principal: z.string(),
  channel: z.enum(["email"]),
  status: MessageStatus,
  created_at: z.iso.datetime(),
  updated_at: z.iso.datetime(),
  send_at: z.iso.datetime().optional(),
  store_secure: z.boolean(),
  /** Canonical recipients: the keys under which the message appears in a recipient's history. */
  recipients: z.array(z.string()),
  content: MessageContent.optional(),
  metadata: z.record(z.string(), z.string()).optional(),
  provider_message_id: z.string().optional(),
  failure: Failure.optional(),
  attempts: z.number().int().nonnegative(),
  history: z.array(StatusEvent),
});
export type MessageRecord = z.infer<typeof MessageRecord>;
