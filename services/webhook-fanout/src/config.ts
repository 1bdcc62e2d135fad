import * as z from "zod";
import { env, parseEnv } from "@herald/platform";

const FanoutEnv = z.object({
  HERALD_TABLE_NAME: env.required(),
  /** Where the jobs go: one per event and endpoint, for the webhook consumer. */
  HERALD_WEBHOOKS_QUEUE_URL: env.required(),
  /** The local stream poller's pause between reads of a shard that had nothing new (on AWS the event source mapping polls). */
  HERALD_STREAM_POLL_MS: env.int(250, 10, 10_000),
  HERALD_LOG_LEVEL: env.logLevel(),
});

export type FanoutConfig = { tableName: string; queueUrl: string; pollMs: number; logLevel: string };

export function loadConfig(source: Record<string, string | undefined> = process.env): FanoutConfig {
  const e = parseEnv(FanoutEnv, source);
  return { tableName: e.HERALD_TABLE_NAME, queueUrl: e.HERALD_WEBHOOKS_QUEUE_URL, pollMs: e.HERALD_STREAM_POLL_MS, logLevel: e.HERALD_LOG_LEVEL };
}
