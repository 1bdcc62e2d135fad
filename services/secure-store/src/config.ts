import * as z from "zod";
import { ConsumerEnv, consumerSettings, type ConsumerSettings } from "@herald/delivery";
import { env, parseEnv } from "@herald/platform";

const SecureStoreEnv = ConsumerEnv.extend({
  /** Needed by the local worker only; on Lambda the event source mapping does the receiving. */
  HERALD_SECURE_QUEUE_URL: z.string().optional(),
  /** The KMS key data keys are generated under (id, ARN or alias/...). */
  HERALD_KMS_KEY_ID: env.required(),
  /** Bounds on reusing one data key; see packages/crypto for why these defaults. */
  HERALD_DATA_KEY_MAX_AGE_SECONDS: env.int(300, 1, 86_400),
  HERALD_DATA_KEY_MAX_MESSAGES: env.int(10_000, 1, 1_000_000),
});

export type SecureStoreConfig = ConsumerSettings & {
  queueUrl: string | undefined;
  kmsKeyId: string;
  dataKeyBounds: { maxAgeMs: number; maxMessages: number };
};

export function loadConfig(source: Record<string, string | undefined> = process.env): SecureStoreConfig {
  const e = parseEnv(SecureStoreEnv, source);
  return {
    ...consumerSettings(e),
    queueUrl: e.HERALD_SECURE_QUEUE_URL,
    kmsKeyId: e.HERALD_KMS_KEY_ID,
    dataKeyBounds: { maxAgeMs: e.HERALD_DATA_KEY_MAX_AGE_SECONDS * 1000, maxMessages: e.HERALD_DATA_KEY_MAX_MESSAGES },
  };
}
