import { randomUUID } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { KMSClient } from "@aws-sdk/client-kms";
import { SQSClient } from "@aws-sdk/client-sqs";
import { DynamoApiKeyStore, createAuthenticator } from "@herald/auth";
import { EnvelopeCipher, KmsDataKeyProvider } from "@herald/crypto";
import { DynamoMessageStore } from "@herald/messages";
import { SqsMessageQueue } from "@herald/queue";
import { createLogger, systemClock } from "@herald/platform";
import { DynamoIdempotencyStore } from "./adapters/dynamo-idempotency-store";
import type { AppDeps } from "./app";
import type { IngestConfig } from "./config";

/** The composition root: adapters built once per process from configuration. */
export function buildDeps(config: IngestConfig): AppDeps {
  const dynamo = new DynamoDBClient({});
  const sqs = new SQSClient({});
  return {
    store: new DynamoMessageStore(dynamo, config.tableName),
    queue: new SqsMessageQueue(sqs, config.queueUrls),
    // Opens store_secure content for the decrypt route; on AWS only that route's function may
    // call kms:Decrypt, so the other routes never reach KMS.
    cipher: new EnvelopeCipher(new KmsDataKeyProvider(new KMSClient({}))),
    authenticate: createAuthenticator({ apiKeys: new DynamoApiKeyStore(dynamo, config.tableName) }),
    idempotency: new DynamoIdempotencyStore(dynamo, config.tableName),
    clock: systemClock,
    newId: randomUUID,
    logger: createLogger("ingest", config.logLevel),
    senders: config.senders,
  };
}
