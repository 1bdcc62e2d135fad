import * as z from "zod";
import { DeliveryEnv, deliverySettings, type DeliverySettings } from "@herald/delivery";
import { addIssues, env, HttpUrl, parseEnv, SmsProviderEnv, smsProviderIssues, type SecretSetting } from "@herald/settings";
import { TWILIO_BASE_URL } from "./adapters/twilio-sms-sender";

// The provider settings are @herald/settings', where infra judges them too; the rest is this consumer's.
const SmsEnv = DeliveryEnv.extend({
  /** Needed by the local worker only; on Lambda the event source mapping does the receiving. */
  HERALD_SMS_QUEUE_URL: z.string().optional(),
})
  .extend(SmsProviderEnv.shape)
  .extend({
    /** Twilio's own API unless a test points it at a stand-in; infra never sets it. */
    HERALD_TWILIO_BASE_URL: HttpUrl.default(TWILIO_BASE_URL),
    /** Sends per second across all workers; 0: no limit. */
    HERALD_SMS_MAX_SEND_RATE: env.int(0, 0, 100_000),
  })
  // Also when another variable is bad, so one start-up names every problem at once.
  .superRefine(addIssues(smsProviderIssues), { when: () => true });

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
