import { rootCertificates } from "node:tls";
import { createTransport, type Transporter } from "nodemailer";
import type { SMTPConnectionCustomAuthContext } from "nodemailer/lib/smtp-connection";
import type { SMTPPoolOptions, SMTPPoolSentMessageInfo } from "nodemailer/lib/smtp-pool";
import type { EmailContent } from "@herald/contracts";
import { AppError, valueAfterRefusal, type Secret } from "@herald/platform";
import type { EmailSendContext, EmailSender, SendResult } from "../ports/email-sender";
import type { SmtpTlsMode } from "@herald/settings";
import type { ClientCredentialsTokens } from "./client-credentials-tokens";
import { classifySmtpError, providerReply, TokenUnavailable } from "./smtp-errors";

export type SmtpAuth =
  | { kind: "none" }
  | { kind: "password"; user: string; password: Secret }
  | { kind: "oauth"; user: string; tokens: Pick<ClientCredentialsTokens, "get" | "invalidate"> };

export type SmtpSenderOptions = {
  host: string;
  port: number;
  tls: SmtpTlsMode;
  /** PEM certificates trusted in addition to the system's roots. */
  extraCa?: readonly string[];
  auth: SmtpAuth;
  /** The whole send: connect, TLS, AUTH and the message. */
  timeoutMs: number;
  /** A pooled connection left unused this long is closed (QUIT). */
  idleTimeoutMs?: number;
};

type Pool = Transporter<SMTPPoolSentMessageInfo, SMTPPoolOptions>;

/*
 * Our label for XOAUTH2 done by our own handler (below). Under the name XOAUTH2 itself, nodemailer
 * only runs its built-in token logic and otherwise falls back to the first method the server
 * lists (PLAIN), so the handler is registered under a name of its own; the wire is the same.
 */
const XOAUTH2_HANDLER = "HERALD-XOAUTH2";

/**
 * Email through any SMTP relay, with nodemailer: STARTTLS required unless told otherwise,
 * certificates always verified (a custom CA adds to the system's roots, it never replaces them),
 * AUTH with a password or an OAuth 2.0 token (XOAUTH2). One pooled connection, reused while
 * messages keep coming and closed when idle. The relay is the only host it talks to: no MX
 * look-ups, no file or URL content.
 */
export class SmtpEmailSender implements EmailSender {
  readonly name = "smtp";
  readonly #options: SmtpSenderOptions;
  #pool: Pool | undefined;
  /** The password the pool was opened with; a rotated secret opens a new pool. */
  #password: string | undefined;

  constructor(options: SmtpSenderOptions) {
    this.#options = options;
  }

  async send(email: EmailContent, context: EmailSendContext): Promise<SendResult> {
    const auth = this.#options.auth;
    try {
      return await this.#sendOnce(email, context, false);
    } catch (error) {
      // A refused password may just have been rotated: read the secret again, and if it changed,
      // try once more with it. (A refused token is renewed inside the XOAUTH2 handler.)
      if (auth.kind !== "password" || !isAuthFailure(error)) throw classifySmtpError(error, this.#options.timeoutMs);
      const fresh = await valueAfterRefusal(auth.password, this.#password ?? "");
      if (fresh === undefined) throw classifySmtpError(error, this.#options.timeoutMs);
      try {
        return await this.#sendOnce(email, context, true);
      } catch (again) {
        throw classifySmtpError(again, this.#options.timeoutMs);
      }
    }
  }

  async close(): Promise<void> {
    this.#pool?.close();
    this.#pool = undefined;
  }

  async #sendOnce(email: EmailContent, context: EmailSendContext, retry: boolean): Promise<SendResult> {
    const pool = await this.#transporter(retry);
    const domain = email.from.slice(email.from.lastIndexOf("@") + 1);
    const info = await pool.sendMail({
      from: email.from,
      to: email.to,
      ...(email.cc && { cc: email.cc }),
      // Bcc goes into the envelope only: nodemailer leaves the header out (keepBcc is off).
      ...(email.bcc && { bcc: email.bcc }),
      ...(email.reply_to && { replyTo: email.reply_to }),
      subject: email.subject,
      ...(email.text !== undefined && { text: email.text }),
      ...(email.html !== undefined && { html: email.html }),
      // The same on every attempt, so a receiver can tell a redelivery from a new message.
      messageId: `<${context.messageId}@${domain}>`,
      // Through SES's SMTP interface this tags the message as the SES API sender does, so its
      // events find it (ignored by any other relay).
      headers: { "X-SES-MESSAGE-TAGS": `herald_message_id=${context.messageId}` },
      envelope: { from: email.from, to: [...email.to, ...(email.cc ?? []), ...(email.bcc ?? [])] },
      xMailer: false,
      signal: AbortSignal.timeout(this.#options.timeoutMs),
    });
    const refused = info.rejected.length;
    const reply = providerReply(info.response);
    return {
      providerMessageId: info.messageId,
      ...(reply !== undefined && { providerReply: refused > 0 ? `${reply} (${refused} recipient(s) refused)` : reply }),
    };
  }

  async #transporter(reopen: boolean): Promise<Pool> {
    const auth = this.#options.auth;
    if (auth.kind === "password") {
      const password = await auth.password.value();
      if (password !== this.#password || reopen) {
        this.#pool?.close();
        this.#pool = undefined;
        this.#password = password;
      }
    }
    this.#pool ??= this.#open();
    return this.#pool;
  }

  #open(): Pool {
    const { host, port, tls, extraCa = [], auth, timeoutMs } = this.#options;
    return createTransport({
      pool: true,
      maxConnections: 1,
      maxMessages: 100,
      idleTimeout: this.#options.idleTimeoutMs ?? 30_000,
      host,
      port,
      secure: tls === "implicit",
      requireTLS: tls === "starttls",
      ignoreTLS: tls === "none",
      tls: {
        rejectUnauthorized: true,
        minVersion: "TLSv1.2",
        servername: host,
        ...(extraCa.length > 0 && { ca: [...rootCertificates, ...extraCa] }),
      },
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
      dnsTimeout: timeoutMs,
      disableFileAccess: true,
      disableUrlAccess: true,
      logger: false,
      ...(auth.kind === "password" && { auth: { user: auth.user, pass: this.#password ?? "" } }),
      ...(auth.kind === "oauth" && {
        auth: { type: "custom", method: XOAUTH2_HANDLER, user: auth.user },
        customAuth: { [XOAUTH2_HANDLER]: (ctx: SMTPConnectionCustomAuthContext) => xoauth2(ctx, auth) },
      }),
    });
  }
}

/**
 * AUTH XOAUTH2 with a client-credentials token. A refusal, whether a bare 535 (Microsoft 365) or
 * a 334 challenge carrying the error (Google), drops the cached token and retries once, on the
 * same connection, with a fresh one. Written here rather than with nodemailer's own XOAUTH2, which
 * renews a token only after a 334 challenge.
 */
async function xoauth2(ctx: SMTPConnectionCustomAuthContext, auth: Extract<SmtpAuth, { kind: "oauth" }>): Promise<void> {
  let token = await tokenOrWrapped(auth);
  for (let attempt = 0; ; attempt += 1) {
    const encoded = Buffer.from(`user=${auth.user}\x01auth=Bearer ${token}\x01\x01`, "utf8").toString("base64");
    let reply = await ctx.sendCommand(`AUTH XOAUTH2 ${encoded}`);
    // RFC 7628 §3.2.3: the error comes as a 334 challenge; an empty line gets the final status.
    if (reply.status === 334) reply = await ctx.sendCommand("");
    if (reply.status === 235) return;
    auth.tokens.invalidate(token);
    if (attempt === 1 || reply.status !== 535) {
      throw Object.assign(new Error(`XOAUTH2 refused (${reply.status}${reply.code ? ` ${reply.code}` : ""})`), {
        responseCode: reply.status,
      });
    }
    token = await tokenOrWrapped(auth);
  }
}

/**
 * nodemailer rewrites any error out of an AUTH handler into EAUTH (it sets `code` on the object
 * itself), so a token endpoint failure travels wrapped, to be unwrapped by classifySmtpError.
 */
async function tokenOrWrapped(auth: Extract<SmtpAuth, { kind: "oauth" }>): Promise<string> {
  try {
    return await auth.tokens.get();
  } catch (error) {
    throw new TokenUnavailable(error instanceof AppError ? error : undefined);
  }
}

function isAuthFailure(error: unknown): boolean {
  return (error as { code?: unknown } | undefined)?.code === "EAUTH";
}
