/*
 * The KMS encryption context store_secure data keys are generated and unwrapped under. Its own
 * dependency-free module (`@herald/crypto/context`), so infra can name the purpose in the data
 * key's policy (infra/key-policy.ts), which allows no other: a data key asked for with another
 * purpose, or without a tenant, is refused by KMS itself.
 */
export const STORE_SECURE_PURPOSE = "herald:store_secure";

/** Purpose and tenant: one data key serves many messages of one tenant, never two tenants. */
export const storeSecureKmsContext = (tenant: string) => ({ purpose: STORE_SECURE_PURPOSE, tenant });

/** Webhook signing secrets: sealed by ingest when an endpoint is registered or rotated, opened by the webhook consumer. */
export const WEBHOOK_SECRET_PURPOSE = "herald:webhook_secret";
export const webhookSecretKmsContext = (tenant: string) => ({ purpose: WEBHOOK_SECRET_PURPOSE, tenant });
