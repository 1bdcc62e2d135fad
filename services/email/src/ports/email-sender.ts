import type { EmailContent } from "@herald/contracts";

export type SendResult = { providerMessageId: string };

/**
 * Hands one email to a provider. Implementations throw PermanentError for a refusal that will
 * not change on retry and TransientError for anything worth another try.
 */
export interface EmailSender {
  send(email: EmailContent): Promise<SendResult>;
}
