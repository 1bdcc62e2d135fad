import { config } from "./config";
import { subscribeConsumer } from "./consumer";
import { appKey, key, webhookKeyUse } from "./keys";
import { lambdaDefaults, lambdaEnvironment } from "./lambda";
import { table, tableAccess } from "./storage";

/*
 * Status webhooks: every write to a message record reaches the fan-out through the table's
 * stream; it queues one job per event and endpoint that wants it; the webhook consumer signs and
 * posts each (services/webhooks), retrying with backoff for about a day.
 *
 *   DynamoDB stream (MSG# items only) ──▶ WebhookFanout Lambda ──▶ SQS WebhooksQueue (+ WebhooksDlq) ──▶ Webhooks Lambda ──▶ HTTPS endpoints
 */

/**
 * Receives of a job before it is dead-lettered; the consumer is told the same number
 * (HERALD_WEBHOOK_MAX_ATTEMPTS). With its backoff (30 s doubling to 4 h, equal jitter: the
 * visibility timeout it sets after each failure) 16 attempts span about a day.
 */
export const WEBHOOK_MAX_ATTEMPTS = 16;

/**
 * The webhook consumer's timeout: a whole batch of 10 slow endpoints (10 s a post plus the
 * record's 2 s margin each) fits, so no job is handed back unstarted for want of time, which
 * would spend one of its 16 receives (and a backoff) without a post.
 */
export const WEBHOOK_CONSUMER_TIMEOUT_SECONDS = 130;

const encrypted = { kmsMasterKeyId: key.arn, kmsDataKeyReusePeriodSeconds: 300 };

export const webhooksDlq = new sst.aws.Queue("WebhooksDlq", {
  transform: { queue: { ...encrypted, messageRetentionSeconds: 14 * 24 * 3600 } },
});
export const webhooksQueue = new sst.aws.Queue("WebhooksQueue", {
  dlq: { queue: webhooksDlq.arn, retry: WEBHOOK_MAX_ATTEMPTS },
  visibilityTimeout: `${WEBHOOK_CONSUMER_TIMEOUT_SECONDS * 6} seconds`,
  // a job is retried for about a day: four days leave room for a consumer outage on top
  transform: { queue: { ...encrypted, messageRetentionSeconds: 4 * 24 * 3600 } },
});

/*
 * The fan-out: MSG# record writes only (the filter keeps the rest from invoking it at all), in order per
 * item; a failed record is named (ReportBatchItemFailures) and retried from there. After 20
 * tries a batch is split in halves to isolate a record that keeps failing; one that still fails
 * after a day (the stream keeps records 24 h) is described to the fan-out DLQ, so the operator
 * sees which changes were not announced.
 */
export const fanoutDlq = new sst.aws.Queue("WebhookFanoutDlq", {
  transform: { queue: { ...encrypted, messageRetentionSeconds: 14 * 24 * 3600 } },
});
export const webhookFanout = table.subscribe(
  "WebhookFanout",
  {
    handler: "services/webhook-fanout/src/entrypoints/lambda.handler",
    runtime: "nodejs22.x",
    timeout: "30 seconds",
    memory: "512 MB",
    ...lambdaDefaults(config),
    environment: {
      HERALD_TABLE_NAME: table.name,
      HERALD_WEBHOOKS_QUEUE_URL: webhooksQueue.url,
      HERALD_LOG_LEVEL: config.logLevel,
      ...lambdaEnvironment(config),
    },
    permissions: [
      // the tenant's endpoints, once per batch: a Query of WH#<tenant>, nothing else of the table
      tableAccess(["dynamodb:Query"], ["webhook"]),
      { actions: ["sqs:SendMessage"], resources: [webhooksQueue.arn] },
      // the stream's records and the table are under the app key; the queue too (sending needs GenerateDataKey + Decrypt)
      appKey(["kms:Decrypt"], ["dynamodb"]),
      appKey(["kms:GenerateDataKey", "kms:Decrypt"], ["sqs"]),
      { actions: ["sqs:SendMessage"], resources: [fanoutDlq.arn] },
    ],
  },
  {
    // message records only: not a message's content item (MSG#<id> | CONTENT), which changes no status
    filters: [{ dynamodb: { Keys: { pk: { S: [{ prefix: "MSG#" }] }, sk: { S: ["MSG"] } } } }],
    transform: {
      eventSourceMapping: {
        batchSize: 100,
        maximumBatchingWindowInSeconds: 1,
        functionResponseTypes: ["ReportBatchItemFailures"],
        maximumRetryAttempts: 20,
        bisectBatchOnFunctionError: true,
        maximumRecordAgeInSeconds: 24 * 3600,
        destinationConfig: { onFailure: { destinationArn: fanoutDlq.arn } },
      },
    },
  },
);

export const webhooksConsumer = subscribeConsumer(webhooksQueue, {
  handler: "services/webhooks/src/entrypoints/lambda.handler",
  environment: {
    HERALD_WEBHOOK_MAX_ATTEMPTS: String(WEBHOOK_MAX_ATTEMPTS),
    // AWS: only public https endpoints (private, loopback, link-local and metadata addresses are refused at send time)
    HERALD_WEBHOOKS_ALLOW_LOOPBACK: "false",
  },
  // read the endpoint, record failures and disable it (UpdateItem); write the delivery log (PutItem, UpdateItem)
  tableKinds: [],
  timeoutSeconds: WEBHOOK_CONSUMER_TIMEOUT_SECONDS,
  permissions: [
    tableAccess(["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:PutItem"], ["webhook", "webhookDelivery"]),
    // open the endpoint's signing secrets (the webhook key's own policy names this role too)
    webhookKeyUse(["kms:Decrypt"]),
  ],
  maxConcurrency: config.webhookMaxConcurrency,
});
