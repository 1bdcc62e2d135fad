import { config } from "./config";
import { key } from "./keys";
import { CONSUMER_TIMEOUT_SECONDS, MAX_RECEIVES } from "./queues";
import { table } from "./storage";

type Permission = { actions: string[]; resources: $util.Input<string>[] };

/**
 * Subscribes a consumer Lambda to its queue, the same way for every channel: batches of 10,
 * partial batch responses on (SST's default is off), bounded concurrency. Every consumer may
 * claim and update records and receive from its KMS-encrypted queue; `permissions` adds its own.
 */
export function subscribeConsumer(
  queue: sst.aws.Queue,
  args: {
    handler: string;
    environment: Record<string, $util.Input<string>>;
    permissions: Permission[];
    maxConcurrency: number;
  },
) {
  return queue.subscribe(
    {
      handler: args.handler,
      runtime: "nodejs22.x",
      timeout: `${CONSUMER_TIMEOUT_SECONDS} seconds`,
      memory: "512 MB",
      nodejs: { sourcemap: true },
      environment: {
        HERALD_TABLE_NAME: table.name,
        HERALD_MAX_RECEIVES: String(MAX_RECEIVES),
        HERALD_LOG_LEVEL: config.logLevel,
        NODE_OPTIONS: "--enable-source-maps",
        ...args.environment,
      },
      permissions: [
        // claim (conditional update), read back, record the outcome
        { actions: ["dynamodb:GetItem", "dynamodb:UpdateItem"], resources: [table.arn] },
        // the queue is encrypted with the app key: receiving decrypts
        { actions: ["kms:Decrypt"], resources: [key.arn] },
        ...args.permissions,
      ],
    },
    {
      batch: { size: 10, window: "1 second", partialResponses: true },
      transform: { eventSourceMapping: { scalingConfig: { maximumConcurrency: args.maxConcurrency } } },
    },
  );
}
