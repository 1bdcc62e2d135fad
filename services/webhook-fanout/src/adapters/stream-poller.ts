import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record,
} from "@aws-sdk/client-dynamodb-streams";
import type { Logger } from "@herald/platform";

export type StreamPoller = {
  /** Stops reading once the batch in hand is handled, then resolves. */
  stop(): Promise<void>;
  done: Promise<void>;
};

/**
 * The local twin of Lambda's DynamoDB Streams event source mapping: reads every shard of the
 * stream from its latest record on (the local stack starts it before the API takes a message),
 * hands each non-empty batch to `handle` in order, and, when `handle` names a record that failed,
 * reads again from that record, as the event source mapping retries a batch from its failed item.
 * New shards (after a split) are picked up from their start.
 */
export async function startStreamPoller(options: {
  client: DynamoDBStreamsClient;
  streamArn: string;
  /** Returns the sequence number of the first record that failed, or undefined when all were handled. */
  handle: (records: _Record[]) => Promise<string | undefined>;
  logger: Logger;
  pollMs: number;
}): Promise<StreamPoller> {
  const { client, streamArn, logger } = options;
  let stopping = false;
  let wake: (() => void) | undefined;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const iterator = async (shardId: string, type: "LATEST" | "TRIM_HORIZON" | "AT_SEQUENCE_NUMBER" | "AFTER_SEQUENCE_NUMBER", sequenceNumber?: string) =>
    (
      await client.send(
        new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ShardIteratorType: type, ...(sequenceNumber && { SequenceNumber: sequenceNumber }) }),
      )
    ).ShardIterator;

  const shardIds = async () => ((await client.send(new DescribeStreamCommand({ StreamArn: streamArn }))).StreamDescription?.Shards ?? []).map((s) => s.ShardId as string);

  // shard → its next iterator and the last sequence number handled (to re-read after an expired iterator)
  const shards = new Map<string, { iterator: string | undefined; last: string | undefined }>();
  for (const id of await shardIds()) shards.set(id, { iterator: await iterator(id, "LATEST"), last: undefined });

  const loop = async () => {
    let rounds = 0;
    while (!stopping) {
      let any = false;
      for (const [id, shard] of shards) {
        if (stopping || !shard.iterator) continue;
        try {
          const { Records = [], NextShardIterator } = await client.send(new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: 100 }));
          if (Records.length === 0) {
            shard.iterator = NextShardIterator;
            continue;
          }
          any = true;
          const failedAt = await options.handle(Records);
          if (failedAt === undefined) {
            shard.iterator = NextShardIterator;
            shard.last = Records.at(-1)?.dynamodb?.SequenceNumber;
          } else {
            shard.iterator = await iterator(id, "AT_SEQUENCE_NUMBER", failedAt);
            await pause(1000);
          }
        } catch (error) {
          if (error instanceof ExpiredIteratorException) {
            shard.iterator = shard.last ? await iterator(id, "AFTER_SEQUENCE_NUMBER", shard.last).catch(() => undefined) : await iterator(id, "LATEST");
            continue;
          }
          logger.warn("stream read failed", { error: error instanceof Error ? error.name : "unknown" });
          await pause(1000);
        }
      }
      if (++rounds % 40 === 0) {
        for (const id of await shardIds().catch(() => [])) if (!shards.has(id)) shards.set(id, { iterator: await iterator(id, "TRIM_HORIZON"), last: undefined });
      }
      if (!any && !stopping) await pause(options.pollMs);
    }
  };
  const done = loop();
  return {
    done,
    stop: async () => {
      stopping = true;
      wake?.();
      await done;
    },
  };
}
