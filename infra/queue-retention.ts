import type { QueueName } from "@herald/contracts";

const HOUR = 60 * 60;
const DAY = 24 * HOUR;

export type QueueRetention = {
  /** How long the queue keeps a message that no consumer deleted. */
  queueSeconds: number;
  /** How long its dead-letter queue keeps one; SQS counts from the message's first enqueue. */
  dlqSeconds: number;
};

/*
 * How long each queue and its dead-letter queue keep a message (SQS MessageRetentionPeriod).
 * Channel queues: SQS's default 4 days, and 14 days (the maximum) in the DLQ, to inspect and
 * redrive; their envelopes carry an id, not content (a store_secure one, which carries the
 * plaintext, is never left to the DLQ: packages/delivery acknowledges it on its last receive).
 * The secure-store queue's envelopes always carry a store_secure message's plaintext, and sealing
 * takes a moment: it keeps them an hour, its DLQ a day. One hour holds every receive (5, each at
 * most 5 minutes apart with the retry backoff) with room; a day gives an operator time to redrive
 * after an outage of KMS or DynamoDB, after which the plaintext is gone from AWS for good (the
 * message was still sent; decrypt answers 409 for it). SQS counts a dead letter's age from its
 * first enqueue, so the DLQ must keep messages longer than its queue, or they expire on arrival.
 * Pure: no SST globals (infra-access-log.test.ts reads it).
 */
export function queueRetention(queue: QueueName): QueueRetention {
  if (queue === "secure-store") return { queueSeconds: HOUR, dlqSeconds: DAY };
  return { queueSeconds: 4 * DAY, dlqSeconds: 14 * DAY };
}
