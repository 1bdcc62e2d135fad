import type { Partition } from "@herald/table";
import { config } from "./config";
import { lambdaDefaults, lambdaEnvironment } from "./lambda";
import { appKey } from "./keys";
import { CONSUMER_TIMEOUT_SECONDS, MAX_RECEIVES } from "./queues";
import { table, tableAccess } from "./storage";

/**
 * Subscribes a consumer Lambda to its queue, the same way for every channel: batches of 10,
 * partial batch responses on (SST's default is off), bounded concurrency. Every consumer may
 * claim and update records and receive from its KMS-encrypted queue; `permissions` adds its own.
 * sst.aws.Queue adds sqs:ReceiveMessage, DeleteMessage, ChangeMessageVisibility (the consumers'
 * retry backoff uses it), GetQueueAttributes and GetQueueUrl on this queue only.
 */
export function subscribeConsumer(
  queue: sst.aws.Queue,
  args: {
    handler: string;
    environment: Record<string, $util.Input<string>>;
    permissions: sst.aws.FunctionPermissionArgs[];
    /** Files bundled with the function (SST's copyFiles: `from` relative to sst.config.ts). */
    copyFiles?: { from: string; to: string }[];
    maxConcurrency: number;
    /** The items the default grant (GetItem, UpdateItem) covers; messages and send-rate windows unless given. */
    tableKinds?: Partition[];
    /** The function's timeout; CONSUMER_TIMEOUT_SECONDS unless given (the queue's visibility timeout must be 6 times it). */
    timeoutSeconds?: number;
  },
) {
  return queue.subscribe(
    {
      handler: args.handler,
      runtime: "nodejs22.x",
      timeout: `${args.timeoutSeconds ?? CONSUMER_TIMEOUT_SECONDS} seconds`,
      memory: "512 MB",
      ...lambdaDefaults(config),
      environment: {
        HERALD_TABLE_NAME: table.name,
        HERALD_MAX_RECEIVES: String(MAX_RECEIVES),
        HERALD_LOG_LEVEL: config.logLevel,
        ...lambdaEnvironment(config),
        ...args.environment,
      },
      ...(args.copyFiles && { copyFiles: args.copyFiles }),
      permissions: [
        // claim (conditional update), read back (a Query: the record and its content item), the
        // content item of a big message (Get), record the outcome; the send-rate schedule
        ...((args.tableKinds ?? ["message", "rate"]).length > 0
          ? [tableAccess(["dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem"], args.tableKinds ?? ["message", "rate"])]
          : []),
        // queue and table are encrypted with the app key: SQS decrypts on receive, DynamoDB
        // decrypts the table key on every read and write
        appKey(["kms:Decrypt"], ["sqs", "dynamodb"]),
        ...args.permissions,
      ],
    },
    {
      batch: { size: 10, window: "1 second", partialResponses: true },
      transform: { eventSourceMapping: { scalingConfig: { maximumConcurrency: args.maxConcurrency } } },
    },
  );
}
