import { AppError, maskEmail, PermanentError, TransientError } from "@herald/platform";

/** A token endpoint failure inside the XOAUTH2 handler, carried past nodemailer (see smtp-email-sender). */
export class TokenUnavailable extends Error {
  readonly appError: AppError | undefined;
  constructor(appError: AppError | undefined) {
    super("no OAuth access token");
    this.name = "TokenUnavailable";
    this.appError = appError;
  }
}

type SmtpFailure = Error & {
  code?: string;
  responseCode?: number;
  command?: string;
  response?: string;
  originalCode?: string;
  appError?: AppError;
};

/** "535 5.7.8" from a reply: the codes, never the text (a relay may echo an address or a credential). */
function codes(error: SmtpFailure): string {
  const enhanced = /^\d{3}[ -](\d\.\d{1,3}\.\d{1,3})\b/.exec(error.response ?? "")?.[1];
  return error.responseCode === undefined ? "no reply" : `${error.responseCode}${enhanced ? ` ${enhanced}` : ""}`;
}

const CERTIFICATE = /certificate|self[- ]signed|unable to verify|altname|CERT_|issuer/i;

/**
 * A nodemailer failure as Herald's error. Permanent only where the relay refused this message for
 * good (a 5xx to the recipients or the content): that does not fail over and is not retried.
 * Everything about the connection, TLS or credentials is transient: a person fixes the relay or
 * the settings, and the message, retried or redriven from the dead-letter queue, still goes.
 */
export function classifySmtpError(error: unknown, timeoutMs: number): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof TokenUnavailable) {
    return error.appError ?? new TransientError("email.smtp_oauth_unavailable", "No OAuth access token for the SMTP relay", error);
  }
  const e = (error ?? {}) as SmtpFailure;
  const name = e.name ?? "Error";
  if (name === "TimeoutError" || name === "AbortError" || e.code === "EABORT") {
    return new TransientError("email.smtp_timeout", `The SMTP relay did not take the message within ${timeoutMs} ms`, error);
  }
  switch (e.code) {
    case "EAUTH":
      return new TransientError("email.smtp_auth_failed", `The SMTP relay refused Herald's credentials (${codes(e)})`, error);
    case "ENOAUTH":
      return new TransientError("email.smtp_auth_failed", "The SMTP relay needs credentials and none are configured", error);
    case "ETLS":
      if (e.command === "STARTTLS" && e.responseCode !== undefined) {
        return new TransientError(
          "email.smtp_starttls_unavailable",
          `The SMTP relay did not offer STARTTLS (${codes(e)}), which HERALD_SMTP_TLS=starttls requires`,
          error,
        );
      }
      return CERTIFICATE.test(e.message ?? "")
        ? new TransientError(
            "email.smtp_certificate_untrusted",
            "The SMTP relay's certificate is not trusted: add its CA with HERALD_SMTP_CA_FILE",
            error,
          )
        : new TransientError("email.smtp_tls_failed", "The TLS handshake with the SMTP relay failed", error);
    case "ECONNECTION":
    case "ESOCKET":
    case "EDNS":
    case "ETIMEDOUT":
    case "EPROXY":
      if (CERTIFICATE.test(e.message ?? "")) {
        return new TransientError("email.smtp_certificate_untrusted", "The SMTP relay's certificate is not trusted: add its CA with HERALD_SMTP_CA_FILE", error);
      }
      return new TransientError("email.smtp_unreachable", `Could not reach the SMTP relay (${e.originalCode ?? e.code})`, error);
  }
  const status = e.responseCode;
  if (status === undefined || status < 500 || status === 503) {
    return new TransientError("email.smtp_deferred", `The SMTP relay deferred the message (${codes(e)})`, error);
  }
  // 530/535 to MAIL FROM: the relay wants AUTH first (nodemailer had none to give).
  if (status === 530) return new TransientError("email.smtp_auth_failed", `The SMTP relay needs authentication (${codes(e)})`, error);
  if (/not verified/i.test(e.response ?? "")) {
    return new PermanentError("email.sender_not_verified", `The SMTP relay refused the sender: it is not verified (${codes(e)})`, error);
  }
  if (e.code === "EENVELOPE" && /^MAIL/i.test(e.command ?? "")) {
    return new PermanentError("email.sender_refused", `The SMTP relay refused the sender (${codes(e)})`, error);
  }
  if (e.code === "EENVELOPE") return new PermanentError("email.rejected", `The SMTP relay refused every recipient (${codes(e)})`, error);
  if (status === 552) return new PermanentError("email.too_large", `The SMTP relay refused the message as too large (${codes(e)})`, error);
  return new PermanentError("email.rejected", `The SMTP relay refused the message (${codes(e)})`, error);
}

const EMAIL = /[^\s<>()"',;:@]+@[^\s<>()"',;:@]+/g;

/** The relay's final reply as recorded: one line, addresses masked, at most 200 characters. */
export function providerReply(response: string | undefined): string | undefined {
  if (!response) return undefined;
  const line = response.replace(/[\u0000-\u001f\u007f]+/g, " ").replace(EMAIL, (address) => maskEmail(address)).trim();
  return line === "" ? undefined : line.slice(0, 200);
}
