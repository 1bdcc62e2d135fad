import type { SmsContent } from "@herald/contracts";

/**
 * Hands one SMS to a provider. Implementations throw PermanentError for a refusal that will not
 * change on retry and TransientError for anything worth another try.
 */
export interface SmsSender {
  send(sms: SmsContent): Promise<{ providerMessageId: string }>;
}
