import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { KMSClient } from "@aws-sdk/client-kms";
import { EnvelopeCipher } from "@herald/crypto";
import { KmsDataKeyProvider } from "@herald/crypto/kms";
import { recordBudgetMs, sendingClientConfig } from "@herald/delivery";
import type { Consumer } from "@herald/delivery/runtime";
import { DynamoMessageStore } from "@herald/messages/dynamo";
import { createLogger, systemClock } from "@herald/platform";
import { loadConfig, type SecureStoreConfig } from "./config";
import { handleSecureStore, type SecureStoreDeps } from "./domain/handle-message";

/** The most one KMS call of a seal (GenerateDataKey, when no cached data key is left) may take. */
export const KMS_TIMEOUT_MS = 5_000;

/** The secure-store consumer as its Lambda handler and its worker run it (see @herald/delivery/runtime). */
export const secureStoreConsumer: Consumer<SecureStoreConfig, SecureStoreDeps> = {
  loadConfig,
  buildDeps,
  // Sealing is idempotent and sends nothing: the receive count does not matter to it.
  handle: (envelope, _delivery, deps) => handleSecureStore(envelope, deps),
  recordBudgetMs: () => recordBudgetMs(1, KMS_TIMEOUT_MS),
  queueUrlVariable: "HERALD_SECURE_QUEUE_URL",
};

/** The composition root: adapters built once per process, so cached data keys outlive a batch. */
export function buildDeps(config: SecureStoreConfig): SecureStoreDeps {
  return {
    store: new DynamoMessageStore(new DynamoDBClient({}), config.tableName),
    // One KMS attempt with a timeout that ends it (a seal that fails goes back to SQS, with
    // backoff); DynamoDB keeps the SDK's retries: the seal is a conditional write, safe to repeat.
    cipher: new EnvelopeCipher(new KmsDataKeyProvider(new KMSClient(sendingClientConfig(KMS_TIMEOUT_MS)), config.kmsKeyId), config.dataKeyBounds),
    clock: systemClock,
    logger: createLogger("secure-store", config.logLevel),
  };
}
