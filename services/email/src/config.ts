import { z } from "zod";
import { DeliveryEnv, deliverySettings, type DeliverySettings } from "@herald/delivery";
import { ConfigError, env, parseEnv } from "@herald/platform";
import { EMAIL_TRANSPORTS, type EmailTransport } from "./ports/email-sender";
import { SmtpEnv, smtpIssues, smtpSettings, type SmtpSettings } from "./smtp-config";

const Transports = z
  .string()
  .transform((value) => value.split(",").map((t) => t.trim()))
  .pipe(
    z
      .array(z.enum(EMAIL_TRANSPORTS, { error: `each entry must be one of ${EMAIL_TRANSPORTS.join(", ")}` }))
      .min(1)
      .refine((list) => new Set(list).size === list.length, "must not name a transport twice"),
  );

const EmailEnv = DeliveryEnv.extend({
  /** Needed by the local worker only; on Lambda the event source mapping does the receiving. */
  HERALD_EMAIL_QUEUE_URL: z.string().optional(),
  HERALD_SES_CONFIGURATION_SET: z.string().min(1).optional(),
  /** Sends per second across all workers (SES's account rate); 0: no limit. */
  HERALD_EMAIL_MAX_SEND_RATE: env.int(14, 0, 100_000),
  /** Ordered: the first is the primary, the others take a message the one before failed transiently. */
  HERALD_EMAIL_TRANSPORTS: z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : v), Transports.optional()),
  /** Transient failures in a row after which a transport is skipped for the cooldown. */
  HERALD_EMAIL_BREAKER_FAILURES: env.int(5, 1, 1000),
  HERALD_EMAIL_BREAKER_COOLDOWN_SECONDS: env.int(30, 1, 3600),
}).extend(SmtpEnv.shape);

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
  // With only the SMTP relay configured, mail goes through it; SES stays the default otherwise.
  const transports = e.HERALD_EMAIL_TRANSPORTS ?? (e.HERALD_SMTP_HOST !== undefined ? ["smtp"] : ["ses"]);
  const issues = smtpIssues(e, transports.includes("smtp"));
  if (issues.length > 0) {
    throw new ConfigError(`invalid configuration: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`);
  }
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
