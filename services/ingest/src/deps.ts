import { randomUUID } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { KMSClient } from "@aws-sdk/client-kms";
import { SQSClient } from "@aws-sdk/client-sqs";
import { TokenBucketLimiter, createAuthenticator } from "@herald/auth";
import { DynamoApiKeyStore } from "@herald/auth/dynamo";
import { oauthTokenVerifier } from "@herald/auth/oauth";
import { EnvelopeCipher } from "@herald/crypto";
import { KmsDataKeyProvider } from "@herald/crypto/kms";
import { DynamoMessageStore, DynamoSuppressionList } from "@herald/messages/dynamo";
import { DynamoWebhookStore } from "@herald/webhooks/dynamo";
import { SqsMessageQueue } from "@herald/queue/sqs";
import { createLogger, systemClock, type Logger } from "@herald/platform";
import { createSecrets } from "@herald/platform/secrets";
import { DynamoIdempotencyStore } from "./adapters/dynamo-idempotency-store";
import { hmacRecipient } from "./adapters/hmac-recipient";
import { DynamoSmsQuota } from "./adapters/dynamo-sms-quota";
import { SqsWebhookJobQueue } from "./adapters/sqs-webhook-job-queue";
import type { AppDeps } from "./app";
import type { IngestConfig } from "./config";
import { fromAuthorizer, fromCredentials, type IdentitySource } from "./http/identity";

/** The composition root: adapters built once per process from configuration. */
export function buildDeps(config: IngestConfig): AppDeps {
  const dynamo = new DynamoDBClient({});
  const sqs = new SQSClient({});
  const logger = createLogger("ingest", config.logLevel);
  const secret = createSecrets({ maxAgeSeconds: config.secretsMaxAgeSeconds });
  // Built now, called on first use: a route that seals or opens nothing never reaches KMS.
  const kms = new KMSClient({});
  return {
    store: new DynamoMessageStore(dynamo, config.tableName),
    queue: new SqsMessageQueue(sqs, config.queueUrls),
    // Opens store_secure content for the decrypt route; on AWS only that route's function may
    // call kms:Decrypt, so the other routes never reach KMS.
    cipher: new EnvelopeCipher(new KmsDataKeyProvider(kms)),
    identify: identitySource(config, dynamo, logger),
    ...(config.rateLimit && { throttle: new TokenBucketLimiter(config.rateLimit) }),
    corsOrigins: config.corsOrigins,
    idempotency: new DynamoIdempotencyStore(dynamo, config.tableName),
    suppressions: new DynamoSuppressionList(dynamo, config.tableName),
    // read on the first erasure, not at start-up: only the erase route needs it
    recipientHmac: hmacRecipient(secret(config.auditHmacKey, "HERALD_AUDIT_HMAC_KEY")),
    ...(config.twilio && {
      twilio: { statusCallback: config.twilio.statusCallback, authToken: secret(config.twilio.authToken, "HERALD_TWILIO_AUTH_TOKEN") },
    }),
    webhooks: {
      store: new DynamoWebhookStore(dynamo, config.tableName),
      // seals new signing secrets (GenerateDataKey under the webhook secrets' key); opening them is the webhook consumer's
      cipher: config.webhooks.kmsKeyId === undefined ? undefined : new EnvelopeCipher(new KmsDataKeyProvider(kms, config.webhooks.kmsKeyId)),
      urlPolicy: { allowLoopback: config.webhooks.allowLoopback },
      jobs: config.webhooks.queueUrl === undefined ? undefined : new SqsWebhookJobQueue(sqs, config.webhooks.queueUrl),
    },
    idempotencyLeaseSeconds: config.idempotencyLeaseSeconds,
    clock: systemClock,
    newId: randomUUID,
    logger,
    senders: config.senders,
    sms: {
      ...(config.sms.countries && { countries: config.sms.countries }),
      ...(config.sms.dailyQuota !== undefined && { quota: new DynamoSmsQuota(dynamo, config.tableName, { perDay: config.sms.dailyQuota }) }),
    },
  };
}

function identitySource(config: IngestConfig, dynamo: DynamoDBClient, logger: Logger): IdentitySource {
  if (config.identitySource === "authorizer") return fromAuthorizer(systemClock);
  const verifyToken = config.oauth && oauthTokenVerifier(config.oauth, { secretsMaxAgeSeconds: config.secretsMaxAgeSeconds, logger });
  return fromCredentials(
    createAuthenticator({ apiKeys: new DynamoApiKeyStore(dynamo, config.tableName), ...(verifyToken && { verifyToken }) }),
  );
}
