import { z } from "zod";
import { env, SecretsEnv } from "@herald/settings";

/**
 * The variables every consumer reads. Its queue's URL has a name of its own per consumer
 * (HERALD_EMAIL_QUEUE_URL, ...) and only the local worker needs it: on Lambda the event source
 * mapping does the receiving.
 */
export const ConsumerEnv = z.object({
  HERALD_TABLE_NAME: env.required(),
  HERALD_WORKER_BATCH_SIZE: env.int(10, 1, 10),
  HERALD_LOG_LEVEL: env.logLevel(),
});

export type ConsumerSettings = { tableName: string; workerBatchSize: number; logLevel: string };

export function consumerSettings(e: z.infer<typeof ConsumerEnv>): ConsumerSettings {
  return { tableName: e.HERALD_TABLE_NAME, workerBatchSize: e.HERALD_WORKER_BATCH_SIZE, logLevel: e.HERALD_LOG_LEVEL };
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
