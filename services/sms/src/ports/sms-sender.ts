import type { SmsContent } from "@herald/contracts";

export type SendResult = { providerMessageId: string };

/**
 * Hands one SMS to a provider. Implementations throw PermanentError for a refusal that will not
 * change on retry and TransientError for anything worth another try. Neither may carry the phone
 * number or the text: reasons end up on the message record and in logs.
 */
export interface SmsSender {
  /** The provider's name as recorded on the message: "twilio" or "sns". */
  readonly name: "twilio" | "sns";
  send(sms: SmsContent): Promise<SendResult>;
}
