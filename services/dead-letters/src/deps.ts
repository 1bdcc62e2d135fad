import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import { CHANNELS } from "@herald/contracts";
import { DynamoMessageStore } from "@herald/messages/dynamo";
import { createLogger, systemClock } from "@herald/platform";
import { SqsDeadLetterQueue } from "./adapters/sqs-dead-letter-queue";
import type { DeadLettersConfig } from "./config";
import type { SweepDeps } from "./domain/sweep";

/** The most messages one sweep reads per dead-letter queue; a longer queue is covered over several sweeps. */
export const MAX_PER_QUEUE = 1_000;

/** A read message stays out of sight this long at most; the sweep hands it back as soon as it is done. */
export const HOLD_SECONDS = 60;

/** The composition root: adapters built once per process (module scope on Lambda). */
export function buildDeps(config: DeadLettersConfig): SweepDeps {
  // Requests go where the client is configured to, never to a QueueUrl's host.
  const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
  return {
    store: new DynamoMessageStore(new DynamoDBClient({}), config.tableName),
    queues: CHANNELS.map((channel) => new SqsDeadLetterQueue(sqs, channel, config.dlqUrls[channel])),
    clock: systemClock,
    logger: createLogger("dead-letters", config.logLevel),
    maxPerQueue: MAX_PER_QUEUE,
    holdSeconds: HOLD_SECONDS,
  };
}
