import type { EmailContent } from "@herald/contracts";
import type { SendResult } from "@herald/messages";

export type { SendResult };

export type EmailSendContext = {
  /** The Herald message id: an SMTP sender derives the Message-ID header from it. */
  messageId: string;
};

/**
 * Hands one email to a transport. Implementations throw PermanentError for a refusal that will
 * not change on retry (nor through another transport) and TransientError for anything worth
 * another try, here or elsewhere.
 */
export interface EmailSender {
  /** The transport's name as configured and recorded: "ses" or "smtp". */
  readonly name: EmailTransport;
  send(email: EmailContent, context: EmailSendContext): Promise<SendResult>;
  /** Lets go of connections (a worker's graceful stop). */
  close?(): Promise<void>;
}

export const EMAIL_TRANSPORTS = ["ses", "smtp"] as const;
export type EmailTransport = (typeof EMAIL_TRANSPORTS)[number];
