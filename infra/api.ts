import { ACCESS_LOG_FORMAT } from "./access-log";
import { authorizer } from "./authorizer";
import { config } from "./config";
import { lambdaDefaults, lambdaEnvironment } from "./lambda";
import { appKey, dataKeyUse, webhookKey, webhookKeyUse } from "./keys";
import { QUEUE_NAMES, queueUrlSetting } from "@herald/contracts";
import { queues } from "./queues";
import { auditHmacKey, readSecrets, secretReference, twilioAuthToken } from "./secrets";
import { table, tableAccess } from "./storage";
import { webhooksQueue } from "./webhooks";

/*
 * The HTTP API: the ingest app behind explicit routes, so an unknown path is answered by API
 * Gateway (404) and never invokes Lambda. Two functions run the same app code with different
 * rights: `Ingest` serves every route but decrypt; `IngestDecrypt` serves only
 * POST /v1/messages/{id}/decrypt and is the only function that may kms:Decrypt store_secure
 * data. No `link`, for least privilege (see email.ts).
 *
 * Every /v1 route is behind the Lambda authorizer (infra/authorizer.ts), keyed on Authorization;
 * the legacy POST and GET /msg behind the same function keyed on X-Api-Key; /health and
 * /openapi.json are open. The ingest functions take the caller's identity from the authorizer's
 * context (HERALD_IDENTITY_SOURCE=authorizer), never from request headers, and look up no API
 * key themselves.
 */

const environment = {
  HERALD_TABLE_NAME: table.name,
  ...Object.fromEntries(QUEUE_NAMES.map((name) => [queueUrlSetting(name), queues[name].queue.url])),
  HERALD_EMAIL_FROM: config.emailFrom,
  HERALD_EMAIL_SENDERS: config.emailSenders.join(","),
  HERALD_LOG_LEVEL: config.logLevel,
  HERALD_IDENTITY_SOURCE: "authorizer",
  // SMS toll-fraud limits, applied before anything is recorded (services/ingest domain/sms-policy.ts)
  ...(config.sms.countries && { HERALD_SMS_COUNTRIES: config.sms.countries.join(",") }),
  ...(config.sms.dailyQuota !== undefined && { HERALD_SMS_DAILY_QUOTA: String(config.sms.dailyQuota) }),
  // a reference both functions' config requires; only Ingest, which erases, may read the secret
  HERALD_AUDIT_HMAC_KEY: secretReference(auditHmacKey),
  HERALD_SECRETS_MAX_AGE: String(config.secretsMaxAge),
  // Twilio's status callbacks, verified against this exact public URL with the auth token
  ...(twilioAuthToken &&
    config.twilioStatusCallback && {
      HERALD_TWILIO_STATUS_CALLBACK: config.twilioStatusCallback,
      HERALD_TWILIO_AUTH_TOKEN: secretReference(twilioAuthToken),
    }),
  // webhooks: signing secrets sealed under the webhook key; a retry by hand goes on the webhooks queue
  HERALD_WEBHOOK_KMS_KEY_ID: webhookKey.arn,
  HERALD_WEBHOOKS_QUEUE_URL: webhooksQueue.url,
  HERALD_WEBHOOKS_ALLOW_LOOPBACK: "false",
  ...lambdaEnvironment(config),
};

const common = {
  handler: "services/ingest/src/entrypoints/lambda.handler",
  runtime: "nodejs22.x" as const,
  timeout: "10 seconds" as const,
  memory: "512 MB" as const,
  ...lambdaDefaults(config),
  environment,
};

export const ingest = new sst.aws.Function("Ingest", {
  ...common,
  permissions: [
    // create (Puts + BatchWrite, rolled back by BatchWrite deletes), get (Query of the message's
    // partition), list (Query + BatchGet), mark failed when enqueueing fails (Update), erase (Query
    // the history, Get and Update each record, Delete its content item, BatchWrite deletes of the
    // history entries, Put the audit item, Query
    // the recipient's audit partition), Idempotency-Key claim/replay/takeover/complete (Put, Get,
    // Update) and its release when nothing was accepted (Delete), the tenants' daily SMS quota
    // (Update), the suppression lists (BatchGet at every send; Get, Query, Update, Delete for
    // /v1/suppressions): messages, recipients' history, audit entries, idempotency keys, quota
    // counters and suppressions only. No API key item, read or written: that is the authorizer's and the keys tool's.
    tableAccess(
      [
        "dynamodb:PutItem",
        "dynamodb:DeleteItem",
        "dynamodb:BatchWriteItem",
        "dynamodb:GetItem",
        "dynamodb:BatchGetItem",
        "dynamodb:Query",
        "dynamodb:UpdateItem",
      ],
      ["message", "recipient", "audit", "idempotency", "quota", "suppression"],
    ),
    // the webhook endpoints and their delivery log (/v1/webhooks): nothing else of the webhook items' kinds
    tableAccess(["dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem", "dynamodb:DeleteItem"], ["webhook", "webhookDelivery"]),
    { actions: ["sqs:SendMessage"], resources: [...QUEUE_NAMES.map((name) => queues[name].queue.arn), webhooksQueue.arn] },
    // seal a webhook's signing secret (registration, rotation); never open one
    webhookKeyUse(["kms:GenerateDataKey"]),
    // the app key, only through SQS (sending to an encrypted queue needs GenerateDataKey +
    // Decrypt) and DynamoDB (the table key); nothing at all on the data key
    appKey(["kms:GenerateDataKey", "kms:Decrypt"], ["sqs", "dynamodb"]),
    // the erasure audit's HMAC key and, when status callbacks are on, the Twilio token that signs them
    ...readSecrets([auditHmacKey, ...(twilioAuthToken && config.twilioStatusCallback ? [twilioAuthToken] : [])]),
  ],
});

export const ingestDecrypt = new sst.aws.Function("IngestDecrypt", {
  ...common,
  permissions: [
    // read the sealed message (a Query of its partition: the record and its content item; the
    // caller was authenticated by the authorizer), and nothing else
    tableAccess(["dynamodb:Query"], ["message"]),
    // the table is encrypted with the app key: DynamoDB must decrypt its table key for this
    // function too; through DynamoDB only, so no SQS message can be read with it
    appKey(["kms:Decrypt"], ["dynamodb"]),
    // open store_secure data keys: the one function with any right on the data key besides the
    // secure-store consumer's GenerateDataKey
    // (for the store_secure encryption context only; the data key's own policy names this role)
    dataKeyUse(["kms:Decrypt"]),
  ],
});

/** The routes the ingest app serves; every /v1 one needs the authorizer, /msg the API-key one. */
// Twilio's status callbacks carry no credential: the X-Twilio-Signature is their authentication.
const OPEN_ROUTES = ["GET /health", "GET /openapi.json", "POST /v1/providers/twilio/status"] as const;
const INGEST_ROUTES = [
  "POST /v1/messages",
  "POST /v1/messages/batch",
  "GET /v1/messages",
  "GET /v1/messages/{id}",
  "POST /v1/recipients/erase",
  // deprecated (the address in the path): kept for DESIGN.md's callers
  "DELETE /v1/recipients/{recipient}",
  "GET /v1/suppressions",
  "POST /v1/suppressions",
  "GET /v1/suppressions/{address}",
  "DELETE /v1/suppressions/{address}",
  "POST /v1/webhooks",
  "GET /v1/webhooks",
  "GET /v1/webhooks/{id}",
  "PATCH /v1/webhooks/{id}",
  "DELETE /v1/webhooks/{id}",
  "POST /v1/webhooks/{id}/rotate-secret",
  "GET /v1/webhooks/{id}/deliveries",
  "POST /v1/webhooks/{id}/deliveries/{delivery}/retry",
] as const;
const DECRYPT_ROUTE = "POST /v1/messages/{id}/decrypt";
/** The first field report's own routes, for its clients that cannot change: they send X-Api-Key. */
const LEGACY_ROUTES = ["POST /msg", "GET /msg"] as const;
type Route =
  | (typeof OPEN_ROUTES)[number]
  | (typeof INGEST_ROUTES)[number]
  | typeof DECRYPT_ROUTE
  | (typeof LEGACY_ROUTES)[number];

/*
 * Edge throttling (requests per second and burst, shared by all callers; per-principal limits are
 * the app's). Every route gets the stage-wide limits, except the ones that cost most per request,
 * which get a share of them (never below 1): a batch is up to 100 messages (100 writes and 100
 * enqueues), decrypt returns plaintext and may call KMS, erase walks every message of a recipient,
 * the legacy GET /msg reads up to 1,000. With the defaults (50/s, burst 100): batch, decrypt and
 * GET /msg 5/s burst 10, erase 1/s burst 2.
 */
const EXPENSIVE: Partial<Record<Route, number>> = {
  "POST /v1/messages/batch": 10,
  [DECRYPT_ROUTE]: 10,
  "POST /v1/recipients/erase": 50,
  "DELETE /v1/recipients/{recipient}": 50,
  // up to 1,000 messages read in one call (ten Query and BatchGet pages)
  "GET /msg": 10,
  // unauthenticated until its signature is checked: a share, so a flood cannot crowd out the API
  "POST /v1/providers/twilio/status": 5,
};
const share = (limit: number, divisor: number) => Math.max(1, Math.floor(limit / divisor));
const routeSettings = Object.entries(EXPENSIVE).map(([routeKey, divisor]) => ({
  routeKey,
  // a route's settings replace the stage defaults for it, so both limits are always given
  throttlingRateLimit: share(config.apiThrottleRate, divisor),
  throttlingBurstLimit: share(config.apiThrottleBurst, divisor),
}));

/*
 * API Gateway refuses route settings that name a route it does not have yet ("Unable to find Route
 * by key ... within the provided RouteSettings"), and SST creates the stage in the ApiGatewayV2
 * constructor, before any route (sst/sst#4501). So the stage depends on the routes' resources,
 * through a promise resolved once they are declared below; nothing a route needs waits for the
 * stage, so this is no cycle.
 */
let routesDeclared!: (routes: $util.Output<aws.apigatewayv2.Route>[]) => void;
const declaredRoutes = new Promise<$util.Output<aws.apigatewayv2.Route>[]>((resolve) => {
  routesDeclared = resolve;
});

export const api = new sst.aws.ApiGatewayV2("Api", {
  // `cors: false` configures none; SST's default would allow every origin. `authorization`
  // carries API keys and tokens on /v1; x-api-key is what the legacy /msg routes authenticate by.
  cors:
    config.corsOrigins.length === 0
      ? false
      : {
          allowOrigins: config.corsOrigins,
          allowMethods: ["GET", "POST", "PATCH", "DELETE", "OPTIONS"],
          allowHeaders: ["content-type", "authorization", "x-api-key", "idempotency-key"],
          maxAge: "1 hour",
        },
  transform: {
    stage: (args, opts) => {
      args.defaultRouteSettings = {
        throttlingRateLimit: config.apiThrottleRate,
        throttlingBurstLimit: config.apiThrottleBurst,
      };
      args.routeSettings = routeSettings;
      // the route key, status and request id only: SST's default format logs the path as sent
      // (an address, in the deprecated erase route), the caller's IP address and user agent
      args.accessLogSettings = $output(args.accessLogSettings).apply((settings) => {
        if (!settings) throw new Error("SST created the stage without access log settings");
        return { destinationArn: settings.destinationArn, format: ACCESS_LOG_FORMAT };
      });
      opts.dependsOn = declaredRoutes;
    },
  },
});

/*
 * One Authorization header, one cached answer for `authorizerCacheTtl` seconds (0: none): API
 * Gateway does not call the authorizer again for it meanwhile, so a revoked key or token keeps
 * working until then (the ingest app still refuses an answer whose expires_at has passed). A
 * request without the header is refused with 401 before the authorizer runs.
 */
export const apiAuthorizer = api.addAuthorizer({
  name: "Herald",
  lambda: {
    function: authorizer.arn,
    identitySources: ["$request.header.Authorization"],
    response: "simple",
    ttl: `${config.authorizerCacheTtl} seconds`,
    payload: "2.0",
  },
});

/*
 * The legacy /msg routes' clients send their key as X-Api-Key, never Authorization. An HTTP API
 * authorizer with both headers as identity sources would refuse every request lacking either, and
 * one keyed on Authorization alone would cache an answer under whatever Authorization came along
 * with the key. So these routes have an authorizer of their own on the same function, keyed on
 * X-Api-Key: its own cache, and the function reads that header alone for these routes
 * (services/authorizer API_KEY_ROUTES), so one header's cached answer never serves the other.
 */
export const apiKeyAuthorizer = api.addAuthorizer({
  name: "HeraldApiKey",
  lambda: {
    function: authorizer.arn,
    identitySources: ["$request.header.x-api-key"],
    response: "simple",
    ttl: `${config.authorizerCacheTtl} seconds`,
    payload: "2.0",
  },
});

const auth = { lambda: apiAuthorizer.id };
const apiKeyAuth = { lambda: apiKeyAuthorizer.id };

routesDeclared([
  ...OPEN_ROUTES.map((route) => api.route(route, ingest.arn)),
  ...INGEST_ROUTES.map((route) => api.route(route, ingest.arn, { auth })),
  api.route(DECRYPT_ROUTE, ingestDecrypt.arn, { auth }),
  ...LEGACY_ROUTES.map((route) => api.route(route, ingest.arn, { auth: apiKeyAuth })),
].map((route) => route.nodes.route));
