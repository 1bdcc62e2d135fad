import * as z from "zod";
import { CHANNELS, dlqUrlSetting, type ChannelName, type DlqUrlSetting } from "@herald/contracts";
import { env, parseEnv } from "@herald/platform";

/** Every channel's dead-letter queue URL (HERALD_EMAIL_DLQ_URL, ...), from the registry; each required. */
const DlqUrlsEnv = z.object(
  Object.fromEntries(CHANNELS.map((channel) => [dlqUrlSetting(channel), z.string({ error: "is required" }).min(1, { error: "is required" })])) as Record<
    DlqUrlSetting<ChannelName>,
    z.ZodString
  >,
);

const DeadLettersEnv = DlqUrlsEnv.extend({
  HERALD_TABLE_NAME: env.required(),
  /** How often the local worker sweeps; on AWS the schedule does (infra/dead-letters.ts). */
  HERALD_DEAD_LETTER_SWEEP_SECONDS: env.int(10, 1, 3600),
  HERALD_LOG_LEVEL: env.logLevel(),
});

export type DeadLettersConfig = {
  tableName: string;
  /** Each channel's dead-letter queue. */
  dlqUrls: Record<ChannelName, string>;
  sweepIntervalMs: number;
  logLevel: string;
};

export function loadConfig(source: Record<string, string | undefined> = process.env): DeadLettersConfig {
  const e = parseEnv(DeadLettersEnv, source);
  return {
    tableName: e.HERALD_TABLE_NAME,
    dlqUrls: Object.fromEntries(CHANNELS.map((channel) => [channel, e[dlqUrlSetting(channel)]])) as Record<ChannelName, string>,
    sweepIntervalMs: e.HERALD_DEAD_LETTER_SWEEP_SECONDS * 1000,
    logLevel: e.HERALD_LOG_LEVEL,
  };
}
