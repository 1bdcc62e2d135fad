import { PublishCommand, type MessageAttributeValue, type SNSClient } from "@aws-sdk/client-sns";
import type { SmsContent } from "@herald/contracts";
import { sdkErrorClassifier, type SdkFailure } from "@herald/delivery";
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

/**
 * SNS's errors by name: its throttling and its refusals (snsRefusal); the rest end as every
 * provider's failures do (see classifyProviderFailure). Reasons never carry SNS's message text:
 * it can quote the number.
 * Configuration problems (permissions, the KMS key, credentials) are transient, so the messages
 * wait in the dead-letter queue for a redrive after the fix.
 */
export const classifySnsError = sdkErrorClassifier({
  channel: "sms",
  provider: "SNS",
  throttled: ({ label: name }) =>
    ["ThrottledException", "ThrottlingException", "Throttling", "TooManyRequestsException", "KMSThrottlingException"].includes(name),
  known: snsRefusal,
});

function snsRefusal({ label: name }: SdkFailure, error: unknown): AppError | undefined {
  switch (name) {
    case "InvalidParameterException":
    case "InvalidParameterValueException":
    case "ValidationException":
      return new PermanentError("sms.rejected", `SNS refused the message (${name})`, error);
    case "OptedOutException":
      return new PermanentError("sms.unsubscribed", "The number has opted out of SMS (OptedOutException)", error);
    case "AuthorizationErrorException":
    case "InvalidSecurityException":
    case "KMSAccessDeniedException":
    case "KMSDisabledException":
    case "KMSInvalidStateException":
    case "KMSNotFoundException":
    case "KMSOptInRequired":
      return new TransientError("sms.provider_auth", `SNS refused to publish for this account (${name})`, error);
  }
  return undefined;
}
