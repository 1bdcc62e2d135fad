// The root entry loads no AWS SDK: the SQS publisher, Lambda handler and worker are @herald/queue/sqs.
export type { BatchEntry, EnqueueOptions, MessageQueue, QueueName } from "./message-queue";
export {
  parseEnvelope,
  PoisonMessageError,
  processSqsRecords,
  type EnvelopeHandler,
  type RecordContext,
  type RetryDelay,
} from "./process-records";
