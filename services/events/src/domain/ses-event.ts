import * as z from "zod";
import type { SQSRecord } from "aws-lambda";
import { canonicalEmail } from "@herald/contracts";
import type { ProviderEvent } from "@herald/messages";
import { PoisonMessageError } from "@herald/queue";

/*
 * SES's event publishing records (the SES developer guide, "Contents of event data that Amazon
 * SES publishes to Amazon SNS"): only the fields Herald reads are checked; SES adds fields over
 * time, so the objects are loose. Diagnostic codes are never read: they can hold addresses.
 */
const Recipient = z.object({ emailAddress: z.string() });
const Timestamp = z.string().refine((v) => !Number.isNaN(Date.parse(v)), { error: "must be a timestamp" });

export const SesEvent = z.object({
  eventType: z.string().optional(),
  notificationType: z.string().optional(),
  mail: z.object({
    messageId: z.string(),
    timestamp: Timestamp,
    tags: z.record(z.string(), z.array(z.string())).optional(),
  }),
  bounce: z.object({ bounceType: z.string(), bounceSubType: z.string(), bouncedRecipients: z.array(Recipient), timestamp: Timestamp }).optional(),
  complaint: z
    .object({ complainedRecipients: z.array(Recipient), timestamp: Timestamp, complaintFeedbackType: z.string().optional() })
    .optional(),
  delivery: z.object({ recipients: z.array(z.string()), timestamp: Timestamp }).optional(),
  deliveryDelay: z.object({ delayedRecipients: z.array(Recipient), timestamp: Timestamp, delayType: z.string().optional() }).optional(),
  reject: z.object({ reason: z.string().optional() }).optional(),
  failure: z.object({ errorMessage: z.string().optional(), templateName: z.string().optional() }).optional(),
});
export type SesEvent = z.infer<typeof SesEvent>;

/** An SNS notification as SNS delivers it to an SQS subscription without raw message delivery. */
const SnsEnvelope = z.object({ Type: z.string(), Message: z.string().optional(), MessageId: z.string().optional() });

/** The tag Herald's email consumer puts on every SES send (EmailTags, X-SES-MESSAGE-TAGS). */
export const MESSAGE_ID_TAG = "herald_message_id";

/** What one events-queue record holds: an SES event, or an SNS control message to drop. */
export type EventRecord = { kind: "ses"; event: SesEvent } | { kind: "ignored"; why: string };

/**
 * Reads an events-queue record: the SNS-wrapped form (the event JSON in `Message`) or raw message
 * delivery (the event itself). An SNS SubscriptionConfirmation is dropped: SNS confirms an SQS
 * subscription made by the topic's owner itself. Anything else is poison: after the queue's
 * bounded receives it lands in the events DLQ.
 */
export function parseEventRecord(record: SQSRecord): EventRecord {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch (error) {
    throw new PoisonMessageError(record.messageId, error);
  }
  const sns = SnsEnvelope.safeParse(body);
  if (sns.success && sns.data.Type !== "Notification") return { kind: "ignored", why: `SNS ${sns.data.Type}` };
  if (sns.success) {
    try {
      body = JSON.parse(sns.data.Message ?? "");
    } catch (error) {
      throw new PoisonMessageError(record.messageId, error);
    }
  }
  const parsed = SesEvent.safeParse(body);
  if (!parsed.success || (parsed.data.eventType ?? parsed.data.notificationType) === undefined) {
    throw new PoisonMessageError(record.messageId, parsed.success ? new Error("no eventType") : parsed.error);
  }
  return { kind: "ses", event: parsed.data };
}

/** The Herald message an SES event is about, from the tag the consumer sent it with. */
export const heraldMessageId = (event: SesEvent): string | undefined => event.mail.tags?.[MESSAGE_ID_TAG]?.[0];

/**
 * What an SES event says of its recipients. Send (SES accepted it: the consumer recorded `sent`
 * already) and unknown types say nothing. A Reject or RenderingFailure fails the whole message.
 */
export function providerEvent(event: SesEvent): ProviderEvent | undefined {
  const type = event.eventType ?? event.notificationType;
  const emails = (list: { emailAddress: string }[]) => list.map((r) => canonicalEmail(r.emailAddress));
  const base = { provider: "ses" } as const;
  switch (type) {
    case "Delivery":
      return event.delivery && { ...base, status: "delivered", at: new Date(event.delivery.timestamp), recipients: event.delivery.recipients.map(canonicalEmail) };
    case "Bounce":
      return (
        event.bounce && {
          ...base,
          status: "bounced",
          at: new Date(event.bounce.timestamp),
          recipients: emails(event.bounce.bouncedRecipients),
          bounceType: event.bounce.bounceType,
          bounceSubtype: event.bounce.bounceSubType,
        }
      );
    case "Complaint":
      return event.complaint && { ...base, status: "complained", at: new Date(event.complaint.timestamp), recipients: emails(event.complaint.complainedRecipients) };
    case "DeliveryDelay":
      return (
        event.deliveryDelay && {
          ...base,
          status: "delivery_delayed",
          at: new Date(event.deliveryDelay.timestamp),
          recipients: emails(event.deliveryDelay.delayedRecipients),
          ...(event.deliveryDelay.delayType !== undefined && { code: event.deliveryDelay.delayType }),
        }
      );
    case "Reject":
      return { ...base, status: "failed", at: new Date(event.mail.timestamp), code: "email.rejected", reason: "SES rejected the message after accepting it (Reject: it contained a virus)" };
    case "Rendering Failure":
    case "RenderingFailure":
      return { ...base, status: "failed", at: new Date(event.mail.timestamp), code: "email.rendering_failure", reason: "SES could not render the message (RenderingFailure)" };
  }
  return undefined;
}

/** A permanent bounce or a complaint puts the address on the tenant's list; a transient bounce does not. */
export function suppressionReason(event: ProviderEvent): "bounce" | "complaint" | undefined {
  if (event.status === "complained") return "complaint";
  if (event.status === "bounced" && event.bounceType === "Permanent") return "bounce";
  return undefined;
}
