import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { KMSClient } from "@aws-sdk/client-kms";
import type { WebhookJob } from "@herald/contracts";
import { EnvelopeCipher } from "@herald/crypto";
import { KmsDataKeyProvider } from "@herald/crypto/kms";
import { sendingClientConfig } from "@herald/delivery";
import type { Consumer } from "@herald/delivery/runtime";
import { createLogger, systemClock } from "@herald/platform";
import { openSecret } from "@herald/webhooks";
import { DynamoWebhookStore } from "@herald/webhooks/dynamo";
import { postWebhook } from "@herald/webhooks/http";
import { loadConfig, recordBudgetMs, WEBHOOK_BACKOFF, type WebhooksConfig } from "./config";
import { deliverJob, type WebhookDeps } from "./domain/deliver-job";
import { parseJob } from "./domain/job";
import { cachingOpener } from "./secret-cache";

/** KMS's answer (a data key to unwrap, once per key and process) within this long, one attempt. */
const KMS_TIMEOUT_MS = 3_000;

/** The webhook consumer as its Lambda handler and its worker run it (see @herald/delivery/runtime). */
export const webhooksConsumer: Consumer<WebhooksConfig, WebhookDeps, WebhookJob> = {
  loadConfig,
  buildDeps,
  parse: parseJob,
  handle: (job, delivery, deps) => deliverJob(job, delivery, deps),
  recordBudgetMs,
  queueUrlVariable: "HERALD_WEBHOOKS_QUEUE_URL",
  backoff: WEBHOOK_BACKOFF,
};

/** The composition root: adapters built once per process. */
export function buildDeps(config: WebhooksConfig): WebhookDeps {
  const cipher = new EnvelopeCipher(new KmsDataKeyProvider(new KMSClient(sendingClientConfig(KMS_TIMEOUT_MS))));
  return {
    store: new DynamoWebhookStore(new DynamoDBClient({}), config.tableName),
    // the cipher caches data keys for 5 minutes; this, the opened secrets, so a delivery costs no KMS call
    openSecret: cachingOpener((tenant, webhookId, secret) => openSecret(cipher, tenant, webhookId, secret)),
    post: postWebhook,
    clock: systemClock,
    logger: createLogger("webhooks", config.logLevel),
    settings: {
      timeoutMs: config.timeoutMs,
      maxAttempts: config.maxAttempts,
      disableAfterMs: config.disableAfterMs,
      policy: { allowLoopback: config.allowLoopback },
    },
  };
}
