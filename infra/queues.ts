import { QUEUE_NAMES, QUEUES, type QueueName } from "@herald/contracts";
import { key } from "./keys";
import { queueRetention } from "./queue-retention";

/** Receives before a message goes to its dead-letter queue; each consumer is told the same number. */
export const MAX_RECEIVES = 5;

/**
 * Every consumer's Lambda timeout, in seconds; the queues' visibility timeout derives from it. A
 * consumer starts no record with less than one record's budget left of it (packages/delivery
 * recordBudgetMs: the email consumer's two transports at the default 10 s send timeout plus 2 s,
 * 22 s), so a slow provider hands records back instead of timing the whole batch out.
 */
export const CONSUMER_TIMEOUT_SECONDS = 30;

// All queues use the app's KMS key. A data key is reused for 5 minutes (the SQS default),
// so KMS sees one GenerateDataKey per producer every 5 minutes, not one per message.
const encrypted = {
  kmsMasterKeyId: key.arn,
  kmsDataKeyReusePeriodSeconds: 300,
};

/** A consumer's queue and its dead-letter queue, kept as long as queue-retention.ts says. */
function queueWithDlq(queueName: QueueName) {
  const name = QUEUES[queueName].infra;
  const retention = queueRetention(queueName);
  const dlq = new sst.aws.Queue(`${name}Dlq`, {
    transform: { queue: { ...encrypted, messageRetentionSeconds: retention.dlqSeconds } },
  });
  const queue = new sst.aws.Queue(`${name}Queue`, {
    dlq: { queue: dlq.arn, retry: MAX_RECEIVES },
    // AWS guidance for Lambda consumers: at least six times the function timeout, so a batch that
    // is retried inside the event source mapping does not reappear while still being worked on.
    visibilityTimeout: `${CONSUMER_TIMEOUT_SECONDS * 6} seconds`,
    transform: { queue: { ...encrypted, messageRetentionSeconds: retention.queueSeconds } },
  });
  return { queue, dlq };
}

/** Every queue of the registry (packages/contracts, channels.ts), with its dead-letter queue. */
export const queues = Object.fromEntries(QUEUE_NAMES.map((name) => [name, queueWithDlq(name)])) as Record<
  QueueName,
  ReturnType<typeof queueWithDlq>
>;
