import * as z from "zod";
import { ConsumerEnv, consumerSettings, type ConsumerSettings } from "@herald/delivery";
import { parseEnv } from "@herald/platform";

const EventsEnv = ConsumerEnv.extend({
  /** Needed by the local worker only; on Lambda the event source mapping does the receiving. */
  HERALD_EVENTS_QUEUE_URL: z.string().optional(),
});

export type EventsConfig = ConsumerSettings & { queueUrl: string | undefined };

export function loadConfig(source: Record<string, string | undefined> = process.env): EventsConfig {
  const e = parseEnv(EventsEnv, source);
  return { ...consumerSettings(e), queueUrl: e.HERALD_EVENTS_QUEUE_URL };
}
