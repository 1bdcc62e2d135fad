import { config } from "./config";
import { tableAccess } from "./storage";
import { subscribeConsumer } from "./consumer";
import { dataKey, dataKeyUse } from "./keys";
import { queues } from "./queues";

/*
 * The secure-store consumer seals store_secure content. It may generate data keys under the
 * data key, for the store_secure context only, but never decrypt with it (its kms:Decrypt is on
 * the queue key, to receive). The data key's policy names its role (infra/key-policy.ts).
 */
export const secureStoreConsumer = subscribeConsumer(queues["secure-store"].queue, {
  handler: "services/secure-store/src/entrypoints/lambda.handler",
  environment: { HERALD_KMS_KEY_ID: dataKey.arn },
  permissions: [
    dataKeyUse(["kms:GenerateDataKey"]),
    // the sealed content is its own item (MSG#<id> | CONTENT): put once, deleted again if the
    // recipient was erased while it was written
    tableAccess(["dynamodb:PutItem", "dynamodb:DeleteItem"], ["message"]),
  ],
  maxConcurrency: config.secureMaxConcurrency,
});
