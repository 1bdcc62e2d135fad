import * as z from "zod";
import { DeliveryEnv, deliverySettings, type DeliverySettings } from "@herald/delivery";
import {
  ConfigError,
  EmailTransportEnv,
  emailTransports,
  env,
  formatIssues,
  parseEnv,
  smtpIssues,
  smtpSettings,
  type EmailTransport,
  type SmtpSettings,
} from "@herald/settings";

// The transports, breaker and SMTP settings are @herald/settings', where infra judges them too.
const EmailEnv = DeliveryEnv.extend({
  /** Needed by the local worker only; on Lambda the event source mapping does the receiving. */
  HERALD_EMAIL_QUEUE_URL: z.string().optional(),
  HERALD_SES_CONFIGURATION_SET: z.string().min(1).optional(),
  /** Sends per second across all workers (SES's account rate); 0: no limit. */
  HERALD_EMAIL_MAX_SEND_RATE: env.int(14, 0, 100_000),
}).extend(EmailTransportEnv.shape);

export type EmailConfig = DeliverySettings & {
  queueUrl: string | undefined;
  configurationSet: string | undefined;
  maxSendRate: number;
  /** In order of preference; never empty. */
  transports: EmailTransport[];
  /** Set when smtp is among the transports. */
  smtp: SmtpSettings | undefined;
  breaker: { failures: number; cooldownMs: number };
};

export function loadConfig(source: Record<string, string | undefined> = process.env): EmailConfig {
  const e = parseEnv(EmailEnv, source);
  const transports = emailTransports(e);
  const issues = smtpIssues(e, transports.includes("smtp"));
  if (issues.length > 0) throw new ConfigError(`invalid configuration: ${formatIssues(issues)}`);
  return {
    ...deliverySettings(e),
    queueUrl: e.HERALD_EMAIL_QUEUE_URL,
    configurationSet: e.HERALD_SES_CONFIGURATION_SET,
    maxSendRate: e.HERALD_EMAIL_MAX_SEND_RATE,
    transports,
    smtp: transports.includes("smtp") ? smtpSettings(e) : undefined,
    breaker: { failures: e.HERALD_EMAIL_BREAKER_FAILURES, cooldownMs: e.HERALD_EMAIL_BREAKER_COOLDOWN_SECONDS * 1000 },
  };
}
