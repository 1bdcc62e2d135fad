import { randomUUID } from "node:crypto";

/*
 * SES events in the shape the SES developer guide documents ("Examples of event data that Amazon
 * SES publishes to Amazon SNS"), for the tests and the local stack's mailbox simulator. Every
 * field SES sends is here, so a consumer that reads more than it should still meets real data.
 */
export type SesEventType = "Send" | "Delivery" | "Bounce" | "Complaint" | "DeliveryDelay" | "Reject" | "Rendering Failure";

export type SesEventOptions = {
  /** The Herald message id, as the herald_message_id tag; none: an event for mail Herald did not tag. */
  heraldMessageId?: string;
  sesMessageId?: string;
  recipients: string[];
  /** The event's own timestamp. */
  at?: Date;
  source?: string;
  bounceType?: "Permanent" | "Transient" | "Undetermined";
  bounceSubType?: string;
  configurationSet?: string;
};

export function sesEvent(type: SesEventType, options: SesEventOptions): Record<string, unknown> {
  const at = (options.at ?? new Date()).toISOString();
  const sent = new Date(Date.parse(at) - 1000).toISOString();
  const source = options.source ?? "sender@example.com";
  const mail = {
    timestamp: sent,
    source,
    sourceArn: `arn:aws:ses:us-east-1:123456789012:identity/${source.split("@")[1] ?? "example.com"}`,
    sendingAccountId: "123456789012",
    messageId: options.sesMessageId ?? `0100019${randomUUID().replace(/-/g, "")}-000000`,
    destination: options.recipients,
    headersTruncated: false,
    headers: [
      { name: "From", value: source },
      { name: "To", value: options.recipients.join(", ") },
      { name: "Subject", value: "Message sent from Amazon SES" },
    ],
    commonHeaders: { from: [source], to: options.recipients, messageId: "<example@example.com>", subject: "Message sent from Amazon SES" },
    tags: {
      "ses:configuration-set": [options.configurationSet ?? "herald"],
      "ses:source-ip": ["192.0.2.0"],
      "ses:from-domain": [source.split("@")[1] ?? "example.com"],
      "ses:caller-identity": ["ses_user"],
      ...(options.heraldMessageId !== undefined && { herald_message_id: [options.heraldMessageId] }),
    },
  };
  const detail: Record<string, unknown> = {};
  switch (type) {
    case "Send":
      detail.send = {};
      break;
    case "Delivery":
      detail.delivery = {
        timestamp: at,
        processingTimeMillis: 546,
        recipients: options.recipients,
        smtpResponse: "250 ok:  Message 64111812 accepted",
        reportingMTA: "a8-70.smtp-out.amazonses.com",
        remoteMtaIp: "127.0.2.0",
      };
      break;
    case "Bounce":
      detail.bounce = {
        bounceType: options.bounceType ?? "Permanent",
        bounceSubType: options.bounceSubType ?? "General",
        bouncedRecipients: options.recipients.map((emailAddress) => ({
          emailAddress,
          action: "failed",
          status: "5.1.1",
          diagnosticCode: `smtp; 550 5.1.1 user unknown <${emailAddress}>`,
        })),
        timestamp: at,
        feedbackId: `0100019${randomUUID().replace(/-/g, "")}-000000`,
        reportingMTA: "dsn; e240-7.smtp-out.amazonses.com",
      };
      break;
    case "Complaint":
      detail.complaint = {
        feedbackId: `0100019${randomUUID().replace(/-/g, "")}-000000`,
        complaintSubType: null,
        complainedRecipients: options.recipients.map((emailAddress) => ({ emailAddress })),
        timestamp: at,
        userAgent: "Mozilla/5.0",
        complaintFeedbackType: "abuse",
        arrivalDate: at,
      };
      break;
    case "DeliveryDelay":
      detail.deliveryDelay = {
        timestamp: at,
        delayType: "TransientCommunicationFailure",
        expirationTime: new Date(Date.parse(at) + 86_400_000).toISOString(),
        delayedRecipients: options.recipients.map((emailAddress) => ({
          emailAddress,
          status: "4.4.1",
          diagnosticCode: "smtp; 421 4.4.1 Unable to connect to remote host",
        })),
      };
      break;
    case "Reject":
      detail.reject = { reason: "Bad content" };
      break;
    case "Rendering Failure":
      detail.failure = { errorMessage: "Attribute 'name' is not present in the rendering data.", templateName: "MyTemplate" };
      break;
  }
  return { eventType: type, mail, ...detail };
}

/** The event as SNS delivers it to an SQS subscription (no raw message delivery). */
export function snsWrapped(event: unknown, topicArn = "arn:aws:sns:us-east-1:123456789012:herald-ses-events"): Record<string, unknown> {
  return {
    Type: "Notification",
    MessageId: randomUUID(),
    TopicArn: topicArn,
    Subject: "Amazon SES Email Event Notification",
    Message: JSON.stringify(event),
    Timestamp: new Date().toISOString(),
    SignatureVersion: "1",
    Signature: "EXAMPLEpH+..",
    SigningCertURL: "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem",
    UnsubscribeURL: "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:us-east-1:123456789012:herald-ses-events:0",
  };
}
