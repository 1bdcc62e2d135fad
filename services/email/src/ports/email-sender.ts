import type { EmailContent } from "@herald/contracts";
import type { Sender, SenderContext, SendResult } from "@herald/delivery";

export type { SendResult };

/** What a transport is told: the Herald message id, from which an SMTP sender makes the Message-ID. */
export type EmailSendContext = SenderContext;

/** Hands one email to a transport, "ses" or "smtp" (see Sender for what it throws). */
export type EmailSender = Sender<EmailContent, EmailTransport>;

export const EMAIL_TRANSPORTS = ["ses", "smtp"] as const;
export type EmailTransport = (typeof EMAIL_TRANSPORTS)[number];
