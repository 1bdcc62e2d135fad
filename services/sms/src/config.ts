import { z } from "zod";
import { ConfigError, DeliveryEnv, deliverySettings, env, parseEnv, type DeliverySettings } from "@herald/platform";

const SmsEnv = DeliveryEnv.extend({
  HERALD_TABLE_NAME: env.required(),
  /** Needed by the local worker only; on Lambda the event source mapping does the receiving. */
  HERALD_SMS_QUEUE_URL: z.string().optional(),
  HERALD_SMS_PROVIDER: z.enum(["sns", "twilio"], { error: "must be sns or twilio" }).default("sns"),
  HERALD_TWILIO_ACCOUNT_SID: z.string().regex(/^AC[0-9a-fA-F]{32}$/, { error: "must be an account SID (AC + 32 hex)" }).optional(),
  HERALD_TWILIO_AUTH_TOKEN: z.string().min(1).optional(),
  HERALD_TWILIO_FROM: z.string().min(1).optional(),
  HERALD_TWILIO_MESSAGING_SERVICE_SID: z.string().regex(/^MG[0-9a-fA-F]{32}$/, { error: "must be a messaging service SID (MG + 32 hex)" }).optional(),
  HERALD_TWILIO_BASE_URL: z.url({ error: "must be a URL" }).default("https://api.twilio.com"),
  HERALD_TWILIO_STATUS_CALLBACK: z.url({ error: "must be a URL" }).optional(),
  HERALD_SNS_SENDER_ID: z.string().regex(/^[A-Za-z0-9]{1,11}$/, { error: "must be 1-11 letters or digits" }).optional(),
  /** Sends per second across all workers (SES's account rate for email); 0: no limit. */
  HERALD_SMS_MAX_SEND_RATE: env.int(0, 0, 100_000),
});

export type SmsConfig = DeliverySettings & {
  tableName: string;
  queueUrl: string | undefined;
  provider:
    | { kind: "sns"; senderId: string | undefined }
    | {
        kind: "twilio";
        accountSid: string;
        authToken: string;
        from: string | undefined;
        messagingServiceSid: string | undefined;
        baseUrl: string;
        statusCallback: string | undefined;
      };
  maxSendRate: number;
};

export function loadConfig(source: Record<string, string | undefined> = process.env): SmsConfig {
  const e = parseEnv(SmsEnv, source);
  return {
    ...deliverySettings(e),
    tableName: e.HERALD_TABLE_NAME,
    queueUrl: e.HERALD_SMS_QUEUE_URL,
    provider: e.HERALD_SMS_PROVIDER === "sns" ? { kind: "sns", senderId: e.HERALD_SNS_SENDER_ID } : twilio(e),
    maxSendRate: e.HERALD_SMS_MAX_SEND_RATE,
  };
}

function twilio(e: z.infer<typeof SmsEnv>): SmsConfig["provider"] {
  const missing = (name: string) => new ConfigError(`invalid configuration: ${name}: is required when HERALD_SMS_PROVIDER=twilio`);
  if (!e.HERALD_TWILIO_ACCOUNT_SID) throw missing("HERALD_TWILIO_ACCOUNT_SID");
  if (!e.HERALD_TWILIO_AUTH_TOKEN) throw missing("HERALD_TWILIO_AUTH_TOKEN");
  if (!e.HERALD_TWILIO_FROM && !e.HERALD_TWILIO_MESSAGING_SERVICE_SID) throw missing("HERALD_TWILIO_FROM or HERALD_TWILIO_MESSAGING_SERVICE_SID");
  return {
    kind: "twilio",
    accountSid: e.HERALD_TWILIO_ACCOUNT_SID,
    authToken: e.HERALD_TWILIO_AUTH_TOKEN,
    from: e.HERALD_TWILIO_FROM,
    messagingServiceSid: e.HERALD_TWILIO_MESSAGING_SERVICE_SID,
    baseUrl: e.HERALD_TWILIO_BASE_URL,
    statusCallback: e.HERALD_TWILIO_STATUS_CALLBACK,
  };
}
