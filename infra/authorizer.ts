import { config } from "./config";
import { lambdaDefaults, lambdaEnvironment } from "./lambda";
import { appKey } from "./keys";
import { oauthClientSecret, readSecrets, secretReference } from "./secrets";
import { table, tableAccess } from "./storage";

/*
 * The API Gateway Lambda authorizer (HTTP API, payload 2.0, simple responses) in front of every
 * /v1 route (infra/api.ts). It checks an `Authorization: Bearer` API key against its hash in the
 * table and, when OAuth is configured, a bearer token by RFC 7662 introspection; API Gateway hands
 * its context (principal, tenant, roles, expires_at) to the ingest functions.
 *
 * Short timeout: a cold start and one GetItem, or an introspection call (packages/auth: 2 s per
 * attempt, 2 retries, waits of at most 1 s: 8 s at worst; API Gateway
 * waits no longer for an authorizer either); if the authorizer fails or times out,
 * API Gateway answers a 5xx and the route is not invoked. Not in a VPC, so it reaches the identity
 * provider over the internet. No `link` (see email.ts).
 */

const oauth = config.oauth;

export const authorizer = new sst.aws.Function("Authorizer", {
  handler: "services/authorizer/src/entrypoints/lambda.handler",
  runtime: "nodejs22.x",
  timeout: "10 seconds",
  memory: "256 MB",
  ...lambdaDefaults(config),
  environment: {
    HERALD_TABLE_NAME: table.name,
    HERALD_LOG_LEVEL: config.logLevel,
    ...lambdaEnvironment(config),
    // Exactly the names packages/auth reads; none of them when OAuth is off (API keys only).
    ...(oauth &&
      oauthClientSecret && {
        HERALD_OAUTH_INTROSPECTION_URL: oauth.introspectionUrl,
        HERALD_OAUTH_CLIENT_ID: oauth.clientId,
        // a reference: the authorizer reads the value with GetSecretValue and reuses it for
        // HERALD_SECRETS_MAX_AGE seconds, so a rotated secret needs no redeploy
        HERALD_OAUTH_CLIENT_SECRET: secretReference(oauthClientSecret),
        HERALD_SECRETS_MAX_AGE: String(config.secretsMaxAge),
        ...(oauth.issuer && { HERALD_OAUTH_ISSUER: oauth.issuer }),
        ...(oauth.audience.length > 0 && { HERALD_OAUTH_AUDIENCE: oauth.audience.join(",") }),
        HERALD_OAUTH_ROLES_CLAIM: oauth.rolesClaim,
        HERALD_OAUTH_TENANT_CLAIM: oauth.tenantClaim,
        HERALD_OAUTH_CACHE_TTL: String(oauth.cacheTtl),
        ...(oauth.client.negativeCacheTtl !== undefined && { HERALD_OAUTH_NEGATIVE_CACHE_TTL: String(oauth.client.negativeCacheTtl) }),
        ...(oauth.client.timeoutMs !== undefined && { HERALD_OAUTH_TIMEOUT_MS: String(oauth.client.timeoutMs) }),
        ...(oauth.client.retries !== undefined && { HERALD_OAUTH_RETRIES: String(oauth.client.retries) }),
      }),
  },
  permissions: [
    // API key look-up by hash, and nothing else: the condition confines it to the APIKEY
    // partition (packages/table), so it can read no message record
    tableAccess(["dynamodb:GetItem"], ["apiKey"]),
    // the table is encrypted with the app key: DynamoDB decrypts its table key for every reader
    appKey(["kms:Decrypt"], ["dynamodb"]),
    // its own secret only, when OAuth is on
    ...readSecrets(oauthClientSecret ? [oauthClientSecret] : []),
  ],
});
