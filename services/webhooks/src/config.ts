import * as z from "zod";
import { ConsumerEnv, consumerSettings, RECORD_MARGIN_MS, type ConsumerSettings } from "@herald/delivery";
import { env, parseEnv } from "@herald/platform";
import type { BackoffPolicy } from "@herald/queue/sqs";

/**
 * A failed post waits 30 s, then twice as long each time up to 4 h (equal jitter: half fixed,
 * half random, so a receiver's outage does not come back as one burst): 30 s, 1, 2, 4, 8, 16,
 * 32 min, 1 h 4 min, 2 h 8 min, then 4 h. 16 attempts wait on average 0.75 × (15,330 s + 6 ×
 * 14,400 s) ≈ 21 h: about a day, after which the job is dead-lettered.
 */
export const WEBHOOK_BACKOFF: BackoffPolicy = { baseSeconds: 30, maxSeconds: 4 * 3600 };
export const WEBHOOK_MAX_ATTEMPTS_DEFAULT = 16;

const WebhooksEnv = ConsumerEnv.extend({
  /** Needed by the local worker only; on Lambda the event source mapping does the receiving. */
  HERALD_WEBHOOKS_QUEUE_URL: z.string().optional(),
  /** Endpoints on loopback (a receiver on this machine): the local stack's, never AWS's. */
  HERALD_WEBHOOKS_ALLOW_LOOPBACK: z
    .enum(["true", "false"], { error: "must be true or false" })
    .default("false")
    .transform((v) => v === "true"),
  /** One post: DNS, connect, TLS and the answer together. A 2xx within it is success. */
  HERALD_WEBHOOK_TIMEOUT_MS: env.int(10_000, 100, 10_000),
  /** The webhooks queue's maxReceiveCount: the last failed attempt marks the delivery dead_lettered. */
  HERALD_WEBHOOK_MAX_ATTEMPTS: env.int(WEBHOOK_MAX_ATTEMPTS_DEFAULT, 1, 1000),
  /** An endpoint failing without a success for this long is disabled. */
  HERALD_WEBHOOK_DISABLE_AFTER_HOURS: env.int(72, 1, 24 * 365),
});

export type WebhooksConfig = ConsumerSettings & {
  queueUrl: string | undefined;
  allowLoopback: boolean;
  timeoutMs: number;
  maxAttempts: number;
  disableAfterMs: number;
};

export function loadConfig(source: Record<string, string | undefined> = process.env): WebhooksConfig {
  const e = parseEnv(WebhooksEnv, source);
  return {
    ...consumerSettings(e),
    queueUrl: e.HERALD_WEBHOOKS_QUEUE_URL,
    allowLoopback: e.HERALD_WEBHOOKS_ALLOW_LOOPBACK,
    // A post never outlives its batch: the local worker's batch timeout (HERALD_WORKER_BATCH_TIMEOUT_SECONDS,
    // 30 s like the Lambda's) less the margin bounds it, so a stack run with a short batch timeout
    // for its channel consumers still starts its webhook worker.
    timeoutMs: Math.min(e.HERALD_WEBHOOK_TIMEOUT_MS, Math.max(100, e.HERALD_WORKER_BATCH_TIMEOUT_SECONDS * 1000 - RECORD_MARGIN_MS)),
    maxAttempts: e.HERALD_WEBHOOK_MAX_ATTEMPTS,
    disableAfterMs: e.HERALD_WEBHOOK_DISABLE_AFTER_HOURS * 3600_000,
  };
}

/** One record: one post at its timeout, and the store's reads and writes around it. */
export const recordBudgetMs = (config: WebhooksConfig) => config.timeoutMs + RECORD_MARGIN_MS;
