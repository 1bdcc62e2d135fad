import { PublishCommand, type SNSClient } from "@aws-sdk/client-sns";
import type { SmsContent } from "@herald/contracts";
import { PermanentError, TransientError, type AppError } from "@herald/platform";
import type { SmsSender } from "../ports/sms-sender";

/** Amazon SNS Publish straight to a phone number (no topic), as a transactional SMS. */
export class SnsSmsSender implements SmsSender {
  readonly #sns: SNSClient;
  readonly #senderId: string | undefined;

  constructor(client: SNSClient, options: { senderId?: string | undefined } = {}) {
    this.#sns = client;
    this.#senderId = options.senderId;
  }

  async send(sms: SmsContent): Promise<{ providerMessageId: string }> {
    try {
      const result = await this.#sns.send(
        new PublishCommand({
          PhoneNumber: sms.to,
          Message: sms.text,
          MessageAttributes: {
            "AWS.SNS.SMS.SMSType": { DataType: "String", StringValue: "Transactional" },
            ...(this.#senderId && { "AWS.SNS.SMS.SenderID": { DataType: "String", StringValue: this.#senderId } }),
          },
        }),
      );
      if (!result.MessageId) throw new TransientError("sms.no_message_id", "SNS answered without a message id");
      return { providerMessageId: result.MessageId };
    } catch (error) {
      throw classifySnsError(error);
    }
  }
}

type SdkError = Error & { $fault?: "client" | "server"; $metadata?: { httpStatusCode?: number } };

export function classifySnsError(error: unknown): AppError {
  if (error instanceof PermanentError || error instanceof TransientError) return error;
  const e = error as SdkError;
  const name = e?.name ?? "Error";
  switch (name) {
    case "InvalidParameterException":
    case "InvalidParameterValueException":
      return new PermanentError("sms.rejected", `SNS refused the message (${name})`, error);
    case "OptedOutException":
      return new PermanentError("sms.unsubscribed", "The number opted out of SMS", error);
    case "ThrottledException":
    case "ThrottlingException":
      return new TransientError("sms.throttled", `SNS throttled the send (${name})`, error);
    case "AuthorizationErrorException":
      return new TransientError("sms.provider_auth", "Not authorised to publish SMS with SNS", error);
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
