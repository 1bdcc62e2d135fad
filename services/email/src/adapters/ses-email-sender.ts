import { SendEmailCommand, type SESv2Client } from "@aws-sdk/client-sesv2";
import type { EmailContent } from "@herald/contracts";
import { sdkErrorClassifier, type SdkFailure } from "@herald/delivery";
import { PermanentError, TransientError, type AppError } from "@herald/platform";
import type { EmailSendContext, EmailSender, SendResult } from "../ports/email-sender";

/** The tag SES's events carry back (mail.tags), by which the events consumer finds the message. */
export const MESSAGE_ID_TAG = "herald_message_id";

export class SesEmailSender implements EmailSender {
  readonly name = "ses";
  readonly #ses: SESv2Client;
  readonly #configurationSet: string | undefined;

  constructor(client: SESv2Client, options: { configurationSet?: string | undefined } = {}) {
    this.#ses = client;
    this.#configurationSet = options.configurationSet;
  }

  async send(email: EmailContent, context?: EmailSendContext): Promise<SendResult> {
    try {
      const result = await this.#ses.send(
        new SendEmailCommand({
          FromEmailAddress: email.from,
          Destination: {
            ToAddresses: email.to,
            ...(email.cc && { CcAddresses: email.cc }),
            ...(email.bcc && { BccAddresses: email.bcc }),
          },
          ...(email.reply_to && { ReplyToAddresses: email.reply_to }),
          Content: {
            Simple: {
              Subject: { Data: email.subject, Charset: "UTF-8" },
              Body: {
                ...(email.html !== undefined && { Html: { Data: email.html, Charset: "UTF-8" } }),
                ...(email.text !== undefined && { Text: { Data: email.text, Charset: "UTF-8" } }),
              },
            },
          },
          ...(this.#configurationSet && { ConfigurationSetName: this.#configurationSet }),
          ...(context && { EmailTags: [{ Name: MESSAGE_ID_TAG, Value: context.messageId }] }),
        }),
      );
      if (!result.MessageId) throw new TransientError("email.no_message_id", "SES answered without a message id");
      return { providerMessageId: result.MessageId };
    } catch (error) {
      throw classifySesError(error);
    }
  }
}

/**
 * SES's errors by name: its throttling and its refusals (sesRefusal); the rest end as every
 * provider's failures do (see classifyProviderFailure). Reasons never carry SES's own message
 * text: it can name addresses.
 */
export const classifySesError = sdkErrorClassifier({
  channel: "email",
  provider: "SES",
  throttled: ({ label: name }) => ["TooManyRequestsException", "ThrottlingException", "LimitExceededException"].includes(name),
  known: sesRefusal,
});

function sesRefusal({ label: name, message }: SdkFailure, error: unknown): AppError | undefined {
  switch (name) {
    case "MessageRejected":
      return /not verified/i.test(message)
        ? new PermanentError("email.sender_not_verified", "SES rejected the message: the sender is not verified (MessageRejected)", error)
        : new PermanentError("email.rejected", "SES rejected the message (MessageRejected)", error);
    case "MailFromDomainNotVerifiedException":
      return new PermanentError("email.mail_from_not_verified", "The MAIL FROM domain is not verified in SES", error);
    case "AccountSuspendedException":
      return new PermanentError("email.account_suspended", "The SES account is suspended", error);
    case "BadRequestException":
      return new PermanentError("email.bad_request", "SES refused the request as invalid (BadRequestException)", error);
    case "NotFoundException":
      return new PermanentError("email.configuration_not_found", "SES could not find the configuration set or identity", error);
    case "SendingPausedException":
      return new TransientError("email.sending_paused", "Sending is paused for the SES account or configuration set", error);
  }
  return undefined;
}
