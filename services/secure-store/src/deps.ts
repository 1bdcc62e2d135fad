import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { KMSClient } from "@aws-sdk/client-kms";
import { EnvelopeCipher, KmsDataKeyProvider } from "@herald/crypto";
import { DynamoMessageStore } from "@herald/messages";
import { createLogger, systemClock } from "@herald/platform";
import type { SecureStoreConfig } from "./config";
import type { SecureStoreDeps } from "./domain/handle-message";

/** The composition root: adapters built once per process, so cached data keys outlive a batch. */
export function buildDeps(config: SecureStoreConfig): SecureStoreDeps {
  return {
    store: new DynamoMessageStore(new DynamoDBClient({}), config.tableName),
    cipher: new EnvelopeCipher(new KmsDataKeyProvider(new KMSClient({}), config.kmsKeyId), config.dataKeyBounds),
    clock: systemClock,
    logger: createLogger("secure-store", config.logLevel),
  };
}
