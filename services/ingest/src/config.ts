import * as z from "zod";
import { QueueUrlsEnv, queueUrlsFrom, type QueueName } from "@herald/contracts";
import { loadOAuthSettings, loadRateLimit, type OAuthSettings, type RateLimitSettings } from "@herald/auth";
import { AuditEnv, CorsEnv, env, HttpUrl, parseEnv, SecretSettingEnv, SecretsEnv, SendersEnv, type SecretSetting } from "@herald/settings";
import { SmsPolicyEnv, smsPolicySettings, type SmsPolicySettings } from "@herald/settings/sms-policy";
import { IDEMPOTENCY_LEASE_SECONDS } from "./domain/idempotent";

const IngestEnv = z.object({
  HERALD_TABLE_NAME: env.required(),
  HERALD_HOST: z.string().default("127.0.0.1"),
  HERALD_PORT: env.int(8787, 0, 65535),
  HERALD_LOG_LEVEL: env.logLevel(),
  /**
   * `credentials`: check each request's API key or bearer token here (local). `authorizer`: take
   * the identity from the API Gateway Lambda authorizer's context (AWS); headers are not read.
   */
  HERALD_IDENTITY_SOURCE: z.enum(["credentials", "authorizer"], { error: "must be credentials or authorizer" }).default("credentials"),
  /** Seconds a request holds its Idempotency-Key before a retry may take it over (for tests; see idempotent.ts). */
  HERALD_IDEMPOTENCY_LEASE_SECONDS: env.int(IDEMPOTENCY_LEASE_SECONDS, 1, 3600),
  /** Twilio's status callbacks: the public URL Twilio posts to, and the auth token that signs them (value or secretsmanager:<id>). */
  HERALD_TWILIO_STATUS_CALLBACK: env.optional(HttpUrl),
  HERALD_TWILIO_AUTH_TOKEN: SecretSettingEnv,
  /** Webhook endpoints on loopback over http (a receiver on this machine): the local stack's, never AWS's. */
  HERALD_WEBHOOKS_ALLOW_LOOPBACK: z
    .enum(["true", "false"], { error: "must be true or false" })
    .default("false")
    .transform((v) => v === "true"),
  /** The webhooks queue, for POST /v1/webhooks/{id}/deliveries/{delivery}/retry; that route answers 503 without it. */
  HERALD_WEBHOOKS_QUEUE_URL: env.optional(z.string()),
  /**
   * The KMS key webhook signing secrets are sealed under (GenerateDataKey); HERALD_KMS_KEY_ID when
   * unset (the local stack has one key). Neither: registration and rotation answer 503.
   */
  HERALD_WEBHOOK_KMS_KEY_ID: env.optional(z.string()),
  HERALD_KMS_KEY_ID: env.optional(z.string()),
})
  // HERALD_EMAIL_FROM, HERALD_EMAIL_SENDERS (addresses, or `@domain` for a whole domain) and
  // HERALD_CORS_ORIGINS: @herald/settings', where infra judges them too
  .extend(SendersEnv.shape)
  .extend(CorsEnv.shape)
  .extend(QueueUrlsEnv.shape)
  .extend(SecretsEnv.shape)
  // HERALD_AUDIT_HMAC_KEY, the erasure audit's HMAC key: required, the value or secretsmanager:<id>
  .extend(AuditEnv.shape)
  // HERALD_SMS_COUNTRIES and HERALD_SMS_DAILY_QUOTA: refused at ingest, before anything is recorded
  .extend(SmsPolicyEnv.shape);

export type IngestConfig = {
  tableName: string;
  queueUrls: Record<QueueName, string>;
  senders: { default: string; allowed: string[] };
  host: string;
  port: number;
  logLevel: string;
  identitySource: "credentials" | "authorizer";
  /** OAuth 2.0 introspection, when configured (only used with identitySource credentials). */
  oauth: OAuthSettings | undefined;
  /** How long the OAuth client secret, read from Secrets Manager, is reused before it is read again. */
  secretsMaxAgeSeconds: number;
  /** The key erased recipients are recorded by (HMAC-SHA-256), never in clear. */
  auditHmacKey: SecretSetting;
  rateLimit: RateLimitSettings | undefined;
  corsOrigins: string[];
  /** SMS countries (undefined: every one) and the per-tenant daily quota (undefined: none). */
  sms: SmsPolicySettings;
  idempotencyLeaseSeconds: number;
  /** Both set: POST /v1/providers/twilio/status verifies and applies Twilio's status callbacks. */
  twilio: { statusCallback: string; authToken: SecretSetting } | undefined;
  webhooks: { allowLoopback: boolean; queueUrl: string | undefined; kmsKeyId: string | undefined };
};

export function loadConfig(source: Record<string, string | undefined> = process.env): IngestConfig {
  const e = parseEnv(IngestEnv, source);
  return {
    tableName: e.HERALD_TABLE_NAME,
    queueUrls: queueUrlsFrom(e),
    senders: { default: e.HERALD_EMAIL_FROM, allowed: [e.HERALD_EMAIL_FROM, ...e.HERALD_EMAIL_SENDERS] },
    host: e.HERALD_HOST,
    port: e.HERALD_PORT,
    logLevel: e.HERALD_LOG_LEVEL,
    identitySource: e.HERALD_IDENTITY_SOURCE,
    oauth: loadOAuthSettings(source),
    secretsMaxAgeSeconds: e.HERALD_SECRETS_MAX_AGE,
    auditHmacKey: e.HERALD_AUDIT_HMAC_KEY,
    rateLimit: loadRateLimit(source),
    corsOrigins: e.HERALD_CORS_ORIGINS,
    sms: smsPolicySettings(e),
    idempotencyLeaseSeconds: e.HERALD_IDEMPOTENCY_LEASE_SECONDS,
    twilio:
      e.HERALD_TWILIO_STATUS_CALLBACK !== undefined && e.HERALD_TWILIO_AUTH_TOKEN !== undefined
        ? { statusCallback: e.HERALD_TWILIO_STATUS_CALLBACK, authToken: e.HERALD_TWILIO_AUTH_TOKEN }
        : undefined,
    webhooks: {
      allowLoopback: e.HERALD_WEBHOOKS_ALLOW_LOOPBACK,
      queueUrl: e.HERALD_WEBHOOKS_QUEUE_URL,
      kmsKeyId: e.HERALD_WEBHOOK_KMS_KEY_ID ?? e.HERALD_KMS_KEY_ID,
    },
  };
}
