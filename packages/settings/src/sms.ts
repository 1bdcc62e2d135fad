import * as z from "zod";
import { env, type Issue } from "./env";
import { SecretSettingEnv } from "./secrets";

const { optional } = env;

const ACCOUNT_SID = /^AC[0-9a-fA-F]{32}$/;
const MESSAGING_SERVICE_SID = /^MG[0-9a-fA-F]{32}$/;
/** An E.164 number, or an alphanumeric sender id (1-11 letters, digits, spaces; one letter at least). */
const TWILIO_FROM = /^(\+[1-9]\d{1,14}|(?=[A-Za-z0-9 ]*[A-Za-z])[A-Za-z0-9 ]{1,11})$/;
const WITH_TWILIO = "is required when HERALD_SMS_PROVIDER=twilio";

export const HttpUrl = z.url({ protocol: /^https?$/, error: "must be an http(s) URL" });

/** The sms consumer's provider, Amazon SNS or Twilio, and each one's settings. */
export const SmsProviderEnv = z.object({
  HERALD_SMS_PROVIDER: z.enum(["sns", "twilio"], { error: "must be sns or twilio" }).default("sns"),
  /** An identifier, not a secret. */
  HERALD_TWILIO_ACCOUNT_SID: optional(z.string().regex(ACCOUNT_SID, { error: "must be an account SID (AC + 32 hex)" })),
  /** The token itself (local runs), or `secretsmanager:<name or ARN>` (AWS): read when sending. */
  HERALD_TWILIO_AUTH_TOKEN: SecretSettingEnv,
  HERALD_TWILIO_FROM: optional(z.string().regex(TWILIO_FROM, { error: "must be an E.164 number or a sender id of up to 11 letters and digits" })),
  HERALD_TWILIO_MESSAGING_SERVICE_SID: optional(
    z.string().regex(MESSAGING_SERVICE_SID, { error: "must be a messaging service SID (MG + 32 hex)" }),
  ),
  /** Twilio's StatusCallback URL for delivery reports. */
  HERALD_TWILIO_STATUS_CALLBACK: optional(HttpUrl),
  /** An alphanumeric sender id, where the destination country supports one. */
  HERALD_SNS_SENDER_ID: optional(
    z.string().regex(/^(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{1,11}$/, { error: "must be 1-11 letters or digits, one letter at least" }),
  ),
});
export type SmsProviderEnv = z.infer<typeof SmsProviderEnv>;

/** Twilio needs its account, its token and a sender (a From or a messaging service). */
export function smsProviderIssues(e: SmsProviderEnv): Issue[] {
  if (e.HERALD_SMS_PROVIDER !== "twilio") return [];
  const issues: Issue[] = [];
  if (e.HERALD_TWILIO_ACCOUNT_SID === undefined) issues.push({ path: "HERALD_TWILIO_ACCOUNT_SID", message: WITH_TWILIO });
  if (e.HERALD_TWILIO_AUTH_TOKEN === undefined) issues.push({ path: "HERALD_TWILIO_AUTH_TOKEN", message: WITH_TWILIO });
  if (e.HERALD_TWILIO_FROM === undefined && e.HERALD_TWILIO_MESSAGING_SERVICE_SID === undefined) {
    issues.push({ path: "HERALD_TWILIO_FROM", message: `or HERALD_TWILIO_MESSAGING_SERVICE_SID ${WITH_TWILIO}` });
  }
  return issues;
}
