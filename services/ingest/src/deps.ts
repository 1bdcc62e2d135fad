import { randomUUID } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { KMSClient } from "@aws-sdk/client-kms";
import { SQSClient } from "@aws-sdk/client-sqs";
import { TokenBucketLimiter, createAuthenticator } from "@herald/auth";
import { DynamoApiKeyStore } from "@herald/auth/dynamo";
import { oauthTokenVerifier } from "@herald/auth/oauth";
import type { KmsDataKeyProvider } from "@herald/crypto/kms";
import { EnvelopeCipher, lazyDataKeyProvider, type DataKeyProvider } from "@herald/crypto";
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
  const kmsKeys = lazyKms();
  return {
    store: new DynamoMessageStore(dynamo, config.tableName),
    queue: new SqsMessageQueue(sqs, config.queueUrls),
    // Opens store_secure content for the decrypt route; on AWS only that route's function may
    // call kms:Decrypt, so the other routes never reach KMS.
    cipher: new EnvelopeCipher(kmsKeys()),
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
      cipher: config.webhooks.kmsKeyId === undefined ? undefined : new EnvelopeCipher(kmsKeys(config.webhooks.kmsKeyId)),
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

/**
 * KMS data keys whose client (and the SDK code under it) is loaded on the first seal or open, and
 * shared by every provider asked for: only the decrypt route opens and only a webhook's
 * registration or rotation seals, so a cold start of the function serving every other route
 * carries no KMS client.
 */
function lazyKms(): (keyId?: string) => DataKeyProvider {
  let modules: Promise<{ client: KMSClient; KmsDataKeyProvider: typeof KmsDataKeyProvider }> | undefined;
  const load = () =>
    (modules ??= Promise.all([import("@aws-sdk/client-kms"), import("@herald/crypto/kms")]).then(([sdk, crypto]) => ({
      client: new sdk.KMSClient({}),
      KmsDataKeyProvider: crypto.KmsDataKeyProvider,
    })).catch((error: unknown) => {
      modules = undefined; // a failed load is tried again by the next call
      throw error;
    }));
  return (keyId) =>
    lazyDataKeyProvider(async () => {
      const { client, KmsDataKeyProvider } = await load();
      return new KmsDataKeyProvider(client, keyId);
    });
}

function identitySource(config: IngestConfig, dynamo: DynamoDBClient, logger: Logger): IdentitySource {
  if (config.identitySource === "authorizer") return fromAuthorizer(systemClock);
  const verifyToken = config.oauth && oauthTokenVerifier(config.oauth, { secretsMaxAgeSeconds: config.secretsMaxAgeSeconds, logger });
  return fromCredentials(
    createAuthenticator({ apiKeys: new DynamoApiKeyStore(dynamo, config.tableName), ...(verifyToken && { verifyToken }) }),
  );
}
