// The root entry loads no AWS SDK: the SQS publisher, Lambda handler and worker are @herald/queue/sqs.
export type { BatchEntry, EnqueueOptions, MessageQueue, QueueName } from "./message-queue";
export {
  NotStartedError,
  parseEnvelope,
  PoisonMessageError,
  processSqsRecords,
  type BodyParser,
  type EnvelopeHandler,
  type RecordHandler,
  type RecordContext,
  type RetryDelay,
  type TimeBudget,
} from "./process-records";
