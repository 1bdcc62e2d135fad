import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import { recordFromItem } from "@herald/messages/dynamo";
import { createLogger } from "@herald/platform";
import { DynamoWebhookStore } from "@herald/webhooks/dynamo";
import { SqsJobQueue } from "./adapters/sqs-job-queue";
import type { FanoutConfig } from "./config";
import type { FanoutDeps } from "./domain/fan-out";

/** The composition root: adapters built once per process. */
export function buildDeps(config: FanoutConfig): FanoutDeps {
  return {
    endpoints: new DynamoWebhookStore(new DynamoDBClient({}), config.tableName),
    // Never let the SDK switch to a QueueUrl's host: requests go where the client is configured to.
    jobs: new SqsJobQueue(new SQSClient({ useQueueUrlAsEndpoint: false }), config.queueUrl),
    readRecord: recordFromItem,
    logger: createLogger("webhook-fanout", config.logLevel),
  };
}
