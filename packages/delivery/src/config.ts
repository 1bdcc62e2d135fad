import * as z from "zod";
import { env, SecretsEnv } from "@herald/settings";

/**
 * The variables every consumer reads. Its queue's URL has a name of its own per consumer
 * (HERALD_EMAIL_QUEUE_URL, ...) and only the local worker needs it: on Lambda the event source
 * mapping does the receiving.
 */
export const ConsumerEnv = z.object({
  HERALD_TABLE_NAME: env.required(),
  HERALD_WORKER_BATCH_SIZE: env.int(10, 1, 10),
  /**
   * The local worker's twin of the Lambda timeout (30 s, infra/queues.ts): no record of a batch
   * starts once less than one record's budget is left of it. Below the queue's visibility timeout.
   */
  HERALD_WORKER_BATCH_TIMEOUT_SECONDS: env.int(30, 1, 900),
  HERALD_LOG_LEVEL: env.logLevel(),
});

export type ConsumerSettings = { tableName: string; workerBatchSize: number; workerBatchTimeoutMs: number; logLevel: string };

export function consumerSettings(e: z.infer<typeof ConsumerEnv>): ConsumerSettings {
  return {
    tableName: e.HERALD_TABLE_NAME,
    workerBatchSize: e.HERALD_WORKER_BATCH_SIZE,
    workerBatchTimeoutMs: e.HERALD_WORKER_BATCH_TIMEOUT_SECONDS * 1000,
    logLevel: e.HERALD_LOG_LEVEL,
  };
}

/**
 * What one record needs besides its sends: reading, claiming and recording it in DynamoDB (a few
 * ms each on AWS, with the SDK's retries), and returning the batch response.
 */
export const RECORD_MARGIN_MS = 2_000;

/** One record's time budget: `sends` calls to providers, each bounded by `timeoutMs`, and the margin. */
export function recordBudgetMs(sends: number, timeoutMs: number): number {
  return sends * timeoutMs + RECORD_MARGIN_MS;
}

/**
 * The settings of an AWS SDK client that hands a message over (SES, SNS; KMS for a seal): one
 * attempt, because SQS is the retry (with backoff, and counted in the record's attempts), and the
 * SDK's three attempts would triple the time one send can take, past the record's budget; a
 * retry after a timeout can also send the same message twice. And a timeout that ends the
 * request: without throwOnRequestTimeout the SDK's requestTimeout only logs a warning.
 */
export function sendingClientConfig(timeoutMs: number) {
  return { maxAttempts: 1, requestHandler: { requestTimeout: timeoutMs, throwOnRequestTimeout: true } };
}

/** And those of a consumer that hands messages to a provider (email, sms). */
export const DeliveryEnv = ConsumerEnv.extend({
  /** How long a claim holds before another worker may retake it; well above one send's timeout. */
  HERALD_CLAIM_LEASE_SECONDS: env.int(120, 10, 3600),
  /** The queue's maxReceiveCount: on the last receive a still-failing message is marked dead_lettered. */
  HERALD_MAX_RECEIVES: env.int(5, 1, 1000),
  HERALD_SEND_TIMEOUT_MS: env.int(10_000, 100, 120_000),
}).extend(SecretsEnv.shape);

export type DeliverySettings = ConsumerSettings & {
  claimLeaseSeconds: number;
  maxReceives: number;
  sendTimeoutMs: number;
  /** How long a provider credential read from Secrets Manager is reused before it is read again. */
  secretsMaxAgeSeconds: number;
};

export function deliverySettings(e: z.infer<typeof DeliveryEnv>): DeliverySettings {
  return {
    ...consumerSettings(e),
    claimLeaseSeconds: e.HERALD_CLAIM_LEASE_SECONDS,
    maxReceives: e.HERALD_MAX_RECEIVES,
    sendTimeoutMs: e.HERALD_SEND_TIMEOUT_MS,
    secretsMaxAgeSeconds: e.HERALD_SECRETS_MAX_AGE,
  };
}
