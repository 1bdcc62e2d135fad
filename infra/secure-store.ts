import { config } from "./config";
import { dataKey, key } from "./keys";
import { CONSUMER_TIMEOUT_SECONDS, secureQueue } from "./queues";
import { table } from "./storage";

/*
 * The secure-store consumer seals store_secure content. It may generate data keys under the
 * data key but never decrypt with it; kms:Decrypt on the queue key only lets it receive.
 */
export const secureStoreConsumer = secureQueue.subscribe(
  {
    handler: "services/secure-store/src/entrypoints/lambda.handler",
    runtime: "nodejs22.x",
    timeout: `${CONSUMER_TIMEOUT_SECONDS} seconds`,
    memory: "512 MB",
    nodejs: { sourcemap: true },
    environment: {
      HERALD_TABLE_NAME: table.name,
      HERALD_KMS_KEY_ID: dataKey.arn,
      HERALD_LOG_LEVEL: config.logLevel,
      NODE_OPTIONS: "--enable-source-maps",
    },
    permissions: [
      { actions: ["dynamodb:GetItem", "dynamodb:UpdateItem"], resources: [table.arn] },
      { actions: ["kms:GenerateDataKey"], resources: [dataKey.arn] },
      { actions: ["kms:Decrypt"], resources: [key.arn] },
    ],
  },
  {
    batch: { size: 10, window: "1 second", partialResponses: true },
    transform: { eventSourceMapping: { scalingConfig: { maximumConcurrency: config.secureMaxConcurrency } } },
  },
);
