import type { SmsContent } from "@herald/contracts";
import { PermanentError, TransientError, type AppError } from "@herald/platform";
import type { SmsSender } from "../ports/sms-sender";

export type TwilioOptions = {
  accountSid: string;
  authToken: string;
  /** One of the two: the sending number, or a messaging service that picks one. */
  from?: string | undefined;
  messagingServiceSid?: string | undefined;
  statusCallback?: string | undefined;
  baseUrl?: string;
  timeoutMs?: number;
};

/**
 * Twilio's Programmable Messaging REST API, called with fetch: we need one endpoint, and the
 * `twilio` package would add a large dependency tree to every cold start for it.
 * POST /2010-04-01/Accounts/{AccountSid}/Messages.json, form-encoded, HTTP basic auth.
 */
export class TwilioSmsSender implements SmsSender {
  readonly #options: TwilioOptions;
  readonly #url: string;
  readonly #auth: string;

  constructor(options: TwilioOptions) {
    if (!options.from && !options.messagingServiceSid) throw new Error("Twilio needs From or MessagingServiceSid");
    this.#options = options;
    const base = (options.baseUrl ?? "https://api.twilio.com").replace(/\/+$/, "");
    this.#url = `${base}/2010-04-01/Accounts/${encodeURIComponent(options.accountSid)}/Messages.json`;
    this.#auth = `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`).toString("base64")}`;
  }

  async send(sms: SmsContent): Promise<{ providerMessageId: string }> {
    const form = new URLSearchParams({ To: sms.to, Body: sms.text });
    if (this.#options.messagingServiceSid) form.set("MessagingServiceSid", this.#options.messagingServiceSid);
    else if (this.#options.from) form.set("From", this.#options.from);
    if (this.#options.statusCallback) form.set("StatusCallback", this.#options.statusCallback);

    let response: Response;
    try {
      response = await fetch(this.#url, {
        method: "POST",
        headers: { authorization: this.#auth, "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
        body: form,
        signal: AbortSignal.timeout(this.#options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      throw new TransientError("sms.network", `Could not reach Twilio (${error instanceof Error ? error.name : "error"})`, error);
    }
    const body = (await response.json().catch(() => ({}))) as { sid?: unknown; code?: unknown };
    if (response.ok && typeof body.sid === "string") return { providerMessageId: body.sid };
    throw classifyTwilioError(response.status, typeof body.code === "number" ? body.code : undefined);
  }
}

// Refusals that will not change on retry; https://www.twilio.com/docs/api/errors
const PERMANENT: Record<number, string> = {
  21211: "sms.invalid_number",
  21214: "sms.invalid_number",
  21217: "sms.invalid_number",
  21407: "sms.region_not_supported",
  21408: "sms.region_not_enabled",
  21610: "sms.unsubscribed",
  21612: "sms.unreachable",
  21614: "sms.not_mobile",
  21617: "sms.body_too_long",
};

/** Reasons carry Twilio's numeric code only: its message text can contain the number. */
export function classifyTwilioError(status: number, code: number | undefined): AppError {
  const label = code === undefined ? `HTTP ${status}` : `${code}`;
  if (status === 429 || code === 20429) return new TransientError("sms.throttled", `Twilio throttled the send (${label})`);
  if (status >= 500) return new TransientError("sms.provider_unavailable", `Twilio failed (${label})`);
  // Bad credentials are a configuration problem: dead-letter and redrive after the fix.
  if (status === 401 || status === 403 || code === 20003) return new TransientError("sms.provider_auth", `Twilio refused the credentials (${label})`);
  if (code !== undefined && PERMANENT[code]) return new PermanentError(PERMANENT[code], `Twilio refused the message (${label})`);
  if (status >= 400 && status < 500) return new PermanentError("sms.rejected", `Twilio refused the message (${label})`);
  return new TransientError("sms.provider_error", `Twilio answered unexpectedly (${label})`);
}
