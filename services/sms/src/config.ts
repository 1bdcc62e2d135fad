import { z } from "zod";
import { DeliveryEnv, deliverySettings, type DeliverySettings } from "@herald/delivery";
import { env, parseEnv, SecretSettingEnv, type SecretSetting } from "@herald/platform";
import { TWILIO_BASE_URL } from "./adapters/twilio-sms-sender";

/** An optional setting; blank counts as unset, as infra/config.ts reads it. */
const optional = <T extends z.ZodType<string>>(schema: T) =>
  z.preprocess((value) => (typeof value === "string" && value.trim() === "" ? undefined : value), schema.optional());

const ACCOUNT_SID = /^AC[0-9a-fA-F]{32}$/;
const MESSAGING_SERVICE_SID = /^MG[0-9a-fA-F]{32}$/;
/** An E.164 number, or an alphanumeric sender id (1-11 letters, digits, spaces; one letter at least). */
const TWILIO_FROM = /^(\+[1-9]\d{1,14}|(?=[A-Za-z0-9 ]*[A-Za-z])[A-Za-z0-9 ]{1,11})$/;
const WITH_TWILIO = "is required when HERALD_SMS_PROVIDER=twilio";

const SmsEnv = DeliveryEnv.extend({
  /** Needed by the local worker only; on Lambda the event source mapping does the receiving. */
  HERALD_SMS_QUEUE_URL: z.string().optional(),
  HERALD_SMS_PROVIDER: z.enum(["sns", "twilio"], { error: "must be sns or twilio" }).default("sns"),
  HERALD_TWILIO_ACCOUNT_SID: optional(z.string().regex(ACCOUNT_SID, { error: "must be an account SID (AC + 32 hex)" })),
  /** The token itself (local runs), or `secretsmanager:<name or ARN>` (AWS): read when sending. */
  HERALD_TWILIO_AUTH_TOKEN: SecretSettingEnv,
  HERALD_TWILIO_FROM: optional(z.string().regex(TWILIO_FROM, { error: "must be an E.164 number or a sender id of up to 11 letters and digits" })),
  HERALD_TWILIO_MESSAGING_SERVICE_SID: optional(
    z.string().regex(MESSAGING_SERVICE_SID, { error: "must be a messaging service SID (MG + 32 hex)" }),
  ),
  HERALD_TWILIO_BASE_URL: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).default(TWILIO_BASE_URL),
  HERALD_TWILIO_STATUS_CALLBACK: optional(z.url({ protocol: /^https?$/, error: "must be an http(s) URL" })),
  /** An alphanumeric sender id, where the destination country supports one. */
  HERALD_SNS_SENDER_ID: optional(
    z.string().regex(/^(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{1,11}$/, { error: "must be 1-11 letters or digits, one letter at least" }),
  ),
  /** Sends per second across all workers; 0: no limit. */
  HERALD_SMS_MAX_SEND_RATE: env.int(0, 0, 100_000),
}).superRefine(
  (e, ctx) => {
    if (e.HERALD_SMS_PROVIDER !== "twilio") return;
    if (e.HERALD_TWILIO_ACCOUNT_SID === undefined) ctx.addIssue({ code: "custom", path: ["HERALD_TWILIO_ACCOUNT_SID"], message: WITH_TWILIO });
    if (e.HERALD_TWILIO_AUTH_TOKEN === undefined) ctx.addIssue({ code: "custom", path: ["HERALD_TWILIO_AUTH_TOKEN"], message: WITH_TWILIO });
    if (e.HERALD_TWILIO_FROM === undefined && e.HERALD_TWILIO_MESSAGING_SERVICE_SID === undefined) {
      ctx.addIssue({ code: "custom", path: ["HERALD_TWILIO_FROM"], message: `or HERALD_TWILIO_MESSAGING_SERVICE_SID ${WITH_TWILIO}` });
    }
  },
  // Also when another variable is bad, so one start-up names every problem at once.
  { when: () => true },
);

export type TwilioSettings = {
  kind: "twilio";
  accountSid: string;
  /** Where the token is (or the token itself): turned into a Secret for the sender only, never logged. */
  authToken: SecretSetting;
  from: string | undefined;
  messagingServiceSid: string | undefined;
  baseUrl: string;
  statusCallback: string | undefined;
};

export type SnsSettings = { kind: "sns"; senderId: string | undefined };

export type SmsConfig = DeliverySettings & {
  queueUrl: string | undefined;
  provider: SnsSettings | TwilioSettings;
  maxSendRate: number;
};

export function loadConfig(source: Record<string, string | undefined> = process.env): SmsConfig {
  const e = parseEnv(SmsEnv, source);
  return {
    ...deliverySettings(e),
    queueUrl: e.HERALD_SMS_QUEUE_URL,
    provider: e.HERALD_SMS_PROVIDER === "twilio" ? twilioSettings(e) : { kind: "sns", senderId: e.HERALD_SNS_SENDER_ID },
    maxSendRate: e.HERALD_SMS_MAX_SEND_RATE,
  };
}

function twilioSettings(e: z.infer<typeof SmsEnv>): TwilioSettings {
  const { HERALD_TWILIO_ACCOUNT_SID: accountSid, HERALD_TWILIO_AUTH_TOKEN: authToken } = e;
  // The refinement above has made sure of both; this only narrows their types.
  if (accountSid === undefined || authToken === undefined) throw new Error("unreachable: Twilio credentials unchecked");
  return {
    kind: "twilio",
    accountSid,
    authToken,
    from: e.HERALD_TWILIO_FROM,
    messagingServiceSid: e.HERALD_TWILIO_MESSAGING_SERVICE_SID,
    baseUrl: e.HERALD_TWILIO_BASE_URL,
    statusCallback: e.HERALD_TWILIO_STATUS_CALLBACK,
  };
}
