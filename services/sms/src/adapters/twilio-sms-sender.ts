import { z } from "zod";
import type { SmsContent } from "@herald/contracts";
import { ConfigError, PermanentError, TransientError, type AppError } from "@herald/platform";
import type { SendResult, SmsSender } from "../ports/sms-sender";

export const TWILIO_BASE_URL = "https://api.twilio.com";

export type TwilioOptions = {
  accountSid: string;
  /** Only ever kept inside the Authorization header this sender builds; never logged. */
  authToken: string;
  /** At least one of the two: the sending number (or alphanumeric sender id), or a messaging service. */
  from?: string | undefined;
  messagingServiceSid?: string | undefined;
  /** Where Twilio posts delivery status updates for each message. */
  statusCallback?: string | undefined;
  baseUrl?: string | undefined;
  timeoutMs?: number | undefined;
};

/** The two fields of Twilio's answers we read: a Message resource's `sid`, an error's `code`. */
const TwilioAnswer = z.object({
  sid: z.string().min(1).optional().catch(undefined),
  code: z.number().int().optional().catch(undefined),
});

/**
 * Twilio Programmable Messaging, "create a Message", called with the global fetch:
 * POST {base}/2010-04-01/Accounts/{AccountSid}/Messages.json, form-encoded, HTTP basic auth.
 * Not the `twilio` npm package: it is a large dependency tree (bundled into every cold start)
 * for this one call.
 */
export class TwilioSmsSender implements SmsSender {
  readonly #url: string;
  readonly #authorization: string;
  readonly #from: string | undefined;
  readonly #messagingServiceSid: string | undefined;
  readonly #statusCallback: string | undefined;
  readonly #timeoutMs: number;

  constructor(options: TwilioOptions) {
    if (!options.from && !options.messagingServiceSid) {
      throw new ConfigError("Twilio needs a From number or a MessagingServiceSid");
    }
    const base = (options.baseUrl ?? TWILIO_BASE_URL).replace(/\/+$/, "");
    this.#url = `${base}/2010-04-01/Accounts/${encodeURIComponent(options.accountSid)}/Messages.json`;
    this.#authorization = `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`).toString("base64")}`;
    this.#from = options.from;
    this.#messagingServiceSid = options.messagingServiceSid;
    this.#statusCallback = options.statusCallback;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
  }

  async send(sms: SmsContent): Promise<SendResult> {
    const form = new URLSearchParams({ To: sms.to, Body: sms.text });
    // Both may be set: Twilio then sends from `From` with the messaging service's features.
    if (this.#from) form.set("From", this.#from);
    if (this.#messagingServiceSid) form.set("MessagingServiceSid", this.#messagingServiceSid);
    if (this.#statusCallback) form.set("StatusCallback", this.#statusCallback);

    let response: Response;
    let text: string;
    try {
      response = await fetch(this.#url, {
        method: "POST",
        headers: {
          authorization: this.#authorization,
          "content-type": "application/x-www-form-urlencoded",
          accept: "application/json",
        },
        body: form.toString(),
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
    const { sid, code } = answer.success ? answer.data : { sid: undefined, code: undefined };
    if (response.status >= 200 && response.status < 300) {
      // Accepted without an id we can read: retrying may send it twice, but recording it as sent
      // would lose it for status tracking; as rare as it is, the retry is the lesser harm.
      if (!sid) throw new TransientError("sms.no_message_id", `Twilio answered ${response.status} without a message sid`);
      return { providerMessageId: sid };
    }
    throw classifyTwilioError(response.status, code);
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
function networkError(error: unknown, timeoutMs: number): TransientError {
  const name = error instanceof Error ? error.name : "Error";
  if (name === "TimeoutError") return new TransientError("sms.network", `Twilio did not answer within ${timeoutMs} ms`, error);
  const cause: unknown = error instanceof Error ? error.cause : undefined;
  const errno = cause instanceof Error && "code" in cause && typeof cause.code === "string" ? cause.code : name;
  return new TransientError("sms.network", `Could not reach Twilio (${errno})`, error);
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

/**
 * A Twilio error answer → PermanentError or TransientError. Reasons carry Twilio's numeric code
 * only, never its `message`: that text can quote the phone number.
 */
export function classifyTwilioError(status: number, code: number | undefined): AppError {
  const label = code === undefined ? `HTTP ${status}` : String(code);
  const known = code === undefined ? undefined : TWILIO_CODES[code];
  if (status === 429 || known?.code === "sms.throttled") {
    return new TransientError("sms.throttled", `Twilio throttled the send (${label})`);
  }
  if (status >= 500) return new TransientError("sms.provider_unavailable", `Twilio failed (${label})`);
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
  return new TransientError("sms.provider_error", `Twilio answered unexpectedly (HTTP ${status})`);
}
