import { z } from "zod";
import { DeliveryEnv, deliverySettings, env, parseEnv, type DeliverySettings } from "@herald/platform";

const EmailEnv = DeliveryEnv.extend({
  HERALD_TABLE_NAME: env.required(),
  /** Needed by the local worker only; on Lambda the event source mapping does the receiving. */
  HERALD_EMAIL_QUEUE_URL: z.string().optional(),
  HERALD_SES_CONFIGURATION_SET: z.string().min(1).optional(),
  /** Sends per second across all workers (SES's account rate); 0: no limit. */
  HERALD_EMAIL_MAX_SEND_RATE: env.int(14, 0, 100_000),
});

export type EmailConfig = DeliverySettings & {
  tableName: string;
  queueUrl: string | undefined;
  configurationSet: string | undefined;
  maxSendRate: number;
};

export function loadConfig(source: Record<string, string | undefined> = process.env): EmailConfig {
  const e = parseEnv(EmailEnv, source);
  return {
    ...deliverySettings(e),
    tableName: e.HERALD_TABLE_NAME,
    queueUrl: e.HERALD_EMAIL_QUEUE_URL,
    configurationSet: e.HERALD_SES_CONFIGURATION_SET,
    maxSendRate: e.HERALD_EMAIL_MAX_SEND_RATE,
  };
}
