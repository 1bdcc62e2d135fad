import type { EmailContent } from "@herald/contracts";
import type { Sender, SenderContext, SendResult } from "@herald/delivery";
import type { EmailTransport } from "@herald/settings";

export type { SendResult };

/** What a transport is told: the Herald message id, from which an SMTP sender makes the Message-ID. */
export type EmailSendContext = SenderContext;

/** Hands one email to a transport, "ses" or "smtp" (see Sender for what it throws). */
export type EmailSender = Sender<EmailContent, EmailTransport>;

// The transports' names are settings (HERALD_EMAIL_TRANSPORTS), judged in @herald/settings.
export { EMAIL_TRANSPORTS, type EmailTransport } from "@herald/settings";
