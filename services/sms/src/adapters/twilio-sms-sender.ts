import * as z from "zod";
import type { SmsContent } from "@herald/contracts";
import { classifyProviderFailure, type ProviderErrors, type ProviderFailure } from "@herald/delivery";
import { ConfigError, PermanentError, TransientError, valueAfterRefusal, type AppError, type Logger, type Secret } from "@herald/platform";
import type { SendResult, SmsSender } from "../ports/sms-sender";

export const TWILIO_BASE_URL = "https://api.twilio.com";

export type TwilioOptions = {
  accountSid: string;
  /**
   * Read per send (cached by the Secret), so a rotated token needs no restart. Its value goes into
   * the Authorization header this sender builds and nowhere else; never logged.
   */
  authToken: Secret;
  /** At least one of the two: the sending number (or alphanumeric sender id), or a messaging service. */
  from?: string | undefined;
  messagingServiceSid?: string | undefined;
  /** Where Twilio posts delivery status updates for each message. */
  statusCallback?: string | undefined;
  baseUrl?: string | undefined;
  timeoutMs?: number | undefined;
  logger?: Logger | undefined;
};

/** The two fields of Twilio's answers we read: a Message resource's `sid`, an error's `code`. */
const TwilioAnswer = z.object({
  sid: z.string().min(1).optional().catch(undefined),
  code: z.number().int().optional().catch(undefined),
});
type TwilioAnswer = z.infer<typeof TwilioAnswer>;

/**
 * Twilio Programmable Messaging, "create a Message", called with the global fetch:
 * POST {base}/2010-04-01/Accounts/{AccountSid}/Messages.json, form-encoded, HTTP basic auth.
 * Not the `twilio` npm package: it is a large dependency tree (bundled into every cold start)
 * for this one call.
 */
export class TwilioSmsSender implements SmsSender {
  readonly name = "twilio";
  readonly #url: string;
  readonly #accountSid: string;
  readonly #authToken: Secret;
  readonly #from: string | undefined;
  readonly #messagingServiceSid: string | undefined;
  readonly #statusCallback: string | undefined;
  readonly #timeoutMs: number;
  readonly #logger: Logger | undefined;
  /** The read of the token in flight after a refusal, shared by every send refused meanwhile. */

  constructor(options: TwilioOptions) {
    if (!options.from && !options.messagingServiceSid) {
      throw new ConfigError("Twilio needs a From number or a MessagingServiceSid");
    }
    const base = (options.baseUrl ?? TWILIO_BASE_URL).replace(/\/+$/, "");
    this.#url = `${base}/2010-04-01/Accounts/${encodeURIComponent(options.accountSid)}/Messages.json`;
    this.#accountSid = options.accountSid;
    this.#authToken = options.authToken;
    this.#from = options.from;
    this.#messagingServiceSid = options.messagingServiceSid;
    this.#statusCallback = options.statusCallback;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#logger = options.logger;
  }

  async send(sms: SmsContent, context?: { messageId: string }): Promise<SendResult> {
    const form = new URLSearchParams({ To: sms.to, Body: sms.text });
    // Both may be set: Twilio then sends from `From` with the messaging service's features.
    if (this.#from) form.set("From", this.#from);
    if (this.#messagingServiceSid) form.set("MessagingServiceSid", this.#messagingServiceSid);
    // The Herald message id rides in the callback's URL, which Twilio signs with the rest.
    if (this.#statusCallback) form.set("StatusCallback", statusCallbackFor(this.#statusCallback, context?.messageId));
    const body = form.toString();

    // A read failure is the Secret's own TransientError (secrets.*): the message retries.
    const token = await this.#authToken.value();
    let answer = await this.#post(body, token);
    // Refused credentials may just have been rotated (Twilio's secondary token promoted, the old
    // one dead at once): read the secret again and, if it changed, try once more with it. A 401
    // created no message, so the retry cannot send twice. The same value again would only be
    // refused again: then, and when the retry is refused too, the send fails transiently as
    // before (dead-letter, fix, redrive).
    if (answer.status === 401 || answer.code === 20003) {
      const fresh = await this.#tokenAfterRefusal(token);
      if (fresh !== undefined) answer = await this.#post(body, fresh);
    }

    const { status, sid, code } = answer;
    if (status >= 200 && status < 300) {
      // Accepted without an id we can read: retrying may send it twice, but recording it as sent
      // would lose it for status tracking; as rare as it is, the retry is the lesser harm.
      if (!sid) throw new TransientError("sms.no_message_id", `Twilio answered ${status} without a message sid`);
      return { providerMessageId: sid };
    }
    throw classifyTwilioError(status, code);
  }

  /** The token to retry with after Twilio refused `refused` (see valueAfterRefusal), or undefined. */
  async #tokenAfterRefusal(refused: string): Promise<string | undefined> {
    this.#logger?.warn("twilio refused the auth token; reading it again", { secret: this.#authToken.source });
    return valueAfterRefusal(this.#authToken, refused);
  }

  async #post(body: string, authToken: string): Promise<{ status: number } & TwilioAnswer> {
    let response: Response;
    let text: string;
    try {
      response = await fetch(this.#url, {
        method: "POST",
        headers: {
          authorization: `Basic ${Buffer.from(`${this.#accountSid}:${authToken}`).toString("base64")}`,
          "content-type": "application/x-www-form-urlencoded",
          accept: "application/json",
        },
        body,
        // Twilio does not redirect; a redirect means a wrong base URL, and the form (with the
        // credentials) must not follow it anywhere.
        redirect: "manual",
        // Covers the body as well as the headers.
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      throw networkError(error, this.#timeoutMs);
    }
    const answer = TwilioAnswer.safeParse(parseJson(text));
    return { status: response.status, ...(answer.success ? answer.data : {}) };
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** fetch's failures: the timeout's DOMException, or a TypeError whose cause has the errno code. */
function networkError(error: unknown, timeoutMs: number): AppError {
  const name = error instanceof Error ? error.name : "Error";
  if (name === "TimeoutError") return new TransientError("sms.network", `Twilio did not answer within ${timeoutMs} ms`, error);
  const cause: unknown = error instanceof Error ? error.cause : undefined;
  const errno = cause instanceof Error && "code" in cause && typeof cause.code === "string" ? cause.code : name;
  return classifyProviderFailure(TWILIO, { label: errno }, error);
}

type Outcome = { code: string; permanent: boolean; what: string };

/**
 * Twilio's error codes that decide the outcome (https://www.twilio.com/docs/api/errors). Codes
 * about the sender or the account are configuration problems: transient, so the messages wait in
 * the dead-letter queue for a redrive after the fix instead of failing for good.
 */
const TWILIO_CODES: Record<number, Outcome> = {
  20003: { code: "sms.provider_auth", permanent: false, what: "the credentials were refused" },
  20404: { code: "sms.provider_config", permanent: false, what: "the account was not found" },
  20429: { code: "sms.throttled", permanent: false, what: "too many requests" },
  21211: { code: "sms.invalid_number", permanent: true, what: "invalid 'To' number" },
  21212: { code: "sms.provider_config", permanent: false, what: "the 'From' number is not valid" },
  21214: { code: "sms.unreachable", permanent: true, what: "the 'To' number cannot be reached" },
  21217: { code: "sms.invalid_number", permanent: true, what: "the 'To' number does not appear to be valid" },
  21408: { code: "sms.region_not_enabled", permanent: true, what: "sending to the number's region is not enabled" },
  21603: { code: "sms.provider_config", permanent: false, what: "a 'From' number is required" },
  21606: { code: "sms.provider_config", permanent: false, what: "the 'From' number cannot send SMS here" },
  21608: { code: "sms.rejected", permanent: true, what: "a trial account may send only to verified numbers" },
  21610: { code: "sms.unsubscribed", permanent: true, what: "the recipient has unsubscribed (STOP)" },
  21611: { code: "sms.throttled", permanent: false, what: "the sender's queue is full" },
  21612: { code: "sms.unreachable", permanent: true, what: "the 'To' number cannot be reached from this sender" },
  21614: { code: "sms.not_mobile", permanent: true, what: "the 'To' number is not a mobile number" },
  21617: { code: "sms.body_too_long", permanent: true, what: "the text exceeds 1600 characters" },
  21660: { code: "sms.provider_config", permanent: false, what: "the 'From' number does not belong to the account" },
  // Delivery errors: normally reported later through the StatusCallback, not by this call.
  30001: { code: "sms.throttled", permanent: false, what: "the sender's queue overflowed" },
  30003: { code: "sms.unreachable", permanent: true, what: "the handset is unreachable" },
  30004: { code: "sms.blocked", permanent: true, what: "the message was blocked" },
  30005: { code: "sms.invalid_number", permanent: true, what: "the destination handset is unknown" },
  30006: { code: "sms.not_mobile", permanent: true, what: "a landline or unreachable carrier" },
  30007: { code: "sms.blocked", permanent: true, what: "the carrier filtered the message" },
};

/** A Twilio answer: labelled with Twilio's error code, or `HTTP <status>` when it gave none. */
type TwilioFailure = ProviderFailure & { code?: number | undefined };

const TWILIO: ProviderErrors<TwilioFailure> = {
  channel: "sms",
  provider: "Twilio",
  throttled: ({ status, code }) => status === 429 || (code !== undefined && TWILIO_CODES[code]?.code === "sms.throttled"),
  known: twilioRefusal,
};

/**
 * A Twilio error answer → PermanentError or TransientError. Reasons carry Twilio's numeric code
 * only, never its `message`: that text can quote the phone number.
 */
export function classifyTwilioError(status: number, code: number | undefined): AppError {
  return classifyProviderFailure(TWILIO, { label: code === undefined ? `HTTP ${status}` : String(code), status, code });
}

/**
 * Twilio's answers by status and code, once throttling is ruled out. Twilio's own failures (5xx,
 * whatever the code) and no answer at all end as every provider's failures do.
 */
function twilioRefusal({ label, status, code }: TwilioFailure): AppError | undefined {
  if (status === undefined || status >= 500) return undefined;
  const known = code === undefined ? undefined : TWILIO_CODES[code];
  // Bad credentials are a configuration problem: dead-letter, fix, redrive; never fail messages.
  if (status === 401 || status === 403 || code === 20003) {
    return new TransientError("sms.provider_auth", `Twilio refused the credentials (${label})`);
  }
  if (known) {
    return known.permanent
      ? new PermanentError(known.code, `Twilio refused the message: ${known.what} (${label})`)
      : new TransientError(known.code, `Twilio refused the send: ${known.what} (${label})`);
  }
  if (status === 404) return new TransientError("sms.provider_config", `Twilio found no such account or endpoint (${label})`);
  if (status >= 400 && status < 500) return new PermanentError("sms.rejected", `Twilio refused the message (${label})`);
  // Neither an error nor a success: a redirect (never followed) means a wrong base URL.
  return new TransientError("sms.provider_error", `Twilio answered unexpectedly (HTTP ${status})`);
}

/** The StatusCallback for one message: the configured URL with `message_id` in its query. */
export function statusCallbackFor(base: string, messageId: string | undefined): string {
  if (messageId === undefined) return base;
  const url = new URL(base);
  url.searchParams.set("message_id", messageId);
  return url.toString();
}
