import { z } from "zod";
import { env, parseEnv } from "@herald/platform";

const EmailEnv = z.object({
  HERALD_TABLE_NAME: env.required(),
  /** Needed by the local worker only; on Lambda the event source mapping does the receiving. */
  HERALD_EMAIL_QUEUE_URL: z.string().optional(),
  HERALD_SES_CONFIGURATION_SET: z.string().min(1).optional(),
  /** How long a claim holds before another worker may retake it; well above one send's timeout. */
  HERALD_CLAIM_LEASE_SECONDS: env.int(120, 10, 3600),
  /** The queue's maxReceiveCount: on the last receive a still-failing message is marked dead_lettered. */
  HERALD_MAX_RECEIVES: env.int(5, 1, 1000),
  HERALD_SEND_TIMEOUT_MS: env.int(10_000, 100, 120_000),
  /** Sends per second across all workers (SES's account rate for email); 0: no limit. */
  HERALD_EMAIL_MAX_SEND_RATE: env.int(14, 0, 100_000),
  HERALD_WORKER_BATCH_SIZE: env.int(10, 1, 10),
  HERALD_LOG_LEVEL: env.logLevel(),
});

export type EmailConfig = {
  tableName: string;
  queueUrl: string | undefined;
  configurationSet: string | undefined;
  claimLeaseSeconds: number;
  maxReceives: number;
  sendTimeoutMs: number;
  maxSendRate: number;
  workerBatchSize: number;
  logLevel: string;
};

export function loadConfig(source: Record<string, string | undefined> = process.env): EmailConfig {
  const e = parseEnv(EmailEnv, source);
  return {
    tableName: e.HERALD_TABLE_NAME,
    queueUrl: e.HERALD_EMAIL_QUEUE_URL,
    configurationSet: e.HERALD_SES_CONFIGURATION_SET,
    claimLeaseSeconds: e.HERALD_CLAIM_LEASE_SECONDS,
    maxReceives: e.HERALD_MAX_RECEIVES,
    sendTimeoutMs: e.HERALD_SEND_TIMEOUT_MS,
    maxSendRate: e.HERALD_EMAIL_MAX_SEND_RATE,
    workerBatchSize: e.HERALD_WORKER_BATCH_SIZE,
    logLevel: e.HERALD_LOG_LEVEL,
  };
}
