import { PublishCommand, type MessageAttributeValue, type SNSClient } from "@aws-sdk/client-sns";
import type { SmsContent } from "@herald/contracts";
import { PermanentError, TransientError, type AppError } from "@herald/platform";
import type { SendResult, SmsSender } from "../ports/sms-sender";

/**
 * Amazon SNS Publish straight to a phone number (no topic). Transactional: notifications and
 * codes, which SNS routes for reliability rather than cost.
 */
export class SnsSmsSender implements SmsSender {
  readonly name = "sns";
  readonly #sns: SNSClient;
  readonly #attributes: Record<string, MessageAttributeValue>;

  constructor(client: SNSClient, options: { senderId?: string | undefined } = {}) {
    this.#sns = client;
    this.#attributes = {
      "AWS.SNS.SMS.SMSType": { DataType: "String", StringValue: "Transactional" },
      ...(options.senderId && { "AWS.SNS.SMS.SenderID": { DataType: "String", StringValue: options.senderId } }),
    };
  }

  async send(sms: SmsContent): Promise<SendResult> {
    try {
      const result = await this.#sns.send(
        new PublishCommand({ PhoneNumber: sms.to, Message: sms.text, MessageAttributes: this.#attributes }),
      );
      if (!result.MessageId) throw new TransientError("sms.no_message_id", "SNS answered without a message id");
      return { providerMessageId: result.MessageId };
    } catch (error) {
      throw classifySnsError(error);
    }
  }
}

type SdkError = Error & { $fault?: "client" | "server"; $metadata?: { httpStatusCode?: number } };

/**
 * SNS's refusals by name. Reasons never carry SNS's message text: it can quote the number.
 * Configuration problems (permissions, the KMS key, credentials) are transient, so the messages
 * wait in the dead-letter queue for a redrive after the fix; unknown client errors too, where a
 * person can look, rather than being dropped as failed.
 */
export function classifySnsError(error: unknown): AppError {
  if (error instanceof PermanentError || error instanceof TransientError) return error;
  const e = error as SdkError;
  const name = e?.name ?? "Error";
  switch (name) {
    case "InvalidParameterException":
    case "InvalidParameterValueException":
    case "ValidationException":
      return new PermanentError("sms.rejected", `SNS refused the message (${name})`, error);
    case "OptedOutException":
      return new PermanentError("sms.unsubscribed", "The number has opted out of SMS (OptedOutException)", error);
    case "ThrottledException":
    case "ThrottlingException":
    case "Throttling":
    case "TooManyRequestsException":
    case "KMSThrottlingException":
      return new TransientError("sms.throttled", `SNS throttled the send (${name})`, error);
    case "AuthorizationErrorException":
    case "InvalidSecurityException":
    case "KMSAccessDeniedException":
    case "KMSDisabledException":
    case "KMSInvalidStateException":
    case "KMSNotFoundException":
    case "KMSOptInRequired":
      return new TransientError("sms.provider_auth", `SNS refused to publish for this account (${name})`, error);
  }
  if (e?.$fault === "server" || (e?.$metadata?.httpStatusCode ?? 0) >= 500) {
    return new TransientError("sms.provider_unavailable", `SNS failed (${name})`, error);
  }
  // No answer (connection refused, DNS, timeout): no HTTP status and no fault. The SDK's retry
  // middleware adds $metadata { attempts } to these too, so its presence proves nothing.
  if (e?.$fault === undefined && e?.$metadata?.httpStatusCode === undefined) {
    return new TransientError("sms.network", `Could not reach SNS (${name})`, error);
  }
  return new TransientError("sms.provider_error", `SNS refused the send (${name})`, error);
}
