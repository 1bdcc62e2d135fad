import { config } from "./config";
import { appKey, dataKey } from "./keys";
import { emailQueue, secureQueue, smsQueue } from "./queues";
import { table } from "./storage";

/*
 * The HTTP API: the ingest app behind explicit routes, so an unknown path is answered by API
 * Gateway (404) and never invokes Lambda. Two functions run the same app code with different
 * rights: `Ingest` serves every route but decrypt; `IngestDecrypt` serves only
 * POST /v1/messages/{id}/decrypt and is the only function that may kms:Decrypt store_secure
 * data. No `link`, for least privilege (see email.ts).
 */

const environment = {
  HERALD_TABLE_NAME: table.name,
  HERALD_EMAIL_QUEUE_URL: emailQueue.url,
  HERALD_SMS_QUEUE_URL: smsQueue.url,
  HERALD_SECURE_QUEUE_URL: secureQueue.url,
  HERALD_EMAIL_FROM: config.emailFrom,
  HERALD_EMAIL_SENDERS: config.emailSenders.join(","),
  HERALD_LOG_LEVEL: config.logLevel,
  NODE_OPTIONS: "--enable-source-maps",
};

const common = {
  handler: "services/ingest/src/entrypoints/lambda.handler",
  runtime: "nodejs22.x" as const,
  timeout: "10 seconds" as const,
  memory: "512 MB" as const,
  nodejs: { sourcemap: true },
  environment,
};

export const ingest = new sst.aws.Function("Ingest", {
  ...common,
  permissions: [
    {
      // create (Put + BatchWrite, rolled back by BatchWrite deletes), get, list (Query +
      // BatchGet), mark failed when enqueueing fails and erase (Update), the erase audit item
      // (Put), API key look-up (Get), Idempotency-Key claim/replay/complete (Put, Get, Update)
      // and its release when nothing was accepted (Delete)
      actions: [
        "dynamodb:PutItem",
        "dynamodb:DeleteItem",
        "dynamodb:BatchWriteItem",
        "dynamodb:GetItem",
        "dynamodb:BatchGetItem",
        "dynamodb:Query",
        "dynamodb:UpdateItem",
      ],
      resources: [table.arn],
    },
    { actions: ["sqs:SendMessage"], resources: [emailQueue.arn, smsQueue.arn, secureQueue.arn] },
    // the app key, only through SQS (sending to an encrypted queue needs GenerateDataKey +
    // Decrypt) and DynamoDB (the table key); nothing at all on the data key
    appKey(["kms:GenerateDataKey", "kms:Decrypt"], ["sqs", "dynamodb"]),
  ],
});

export const ingestDecrypt = new sst.aws.Function("IngestDecrypt", {
  ...common,
  permissions: [
    // authenticate (API key look-up) and read the sealed record
    { actions: ["dynamodb:GetItem"], resources: [table.arn] },
    // the table is encrypted with the app key: DynamoDB must decrypt its table key for this
    // function too; through DynamoDB only, so no SQS message can be read with it
    appKey(["kms:Decrypt"], ["dynamodb"]),
    // open store_secure data keys: the one function with any right on the data key besides the
    // secure-store consumer's GenerateDataKey
    { actions: ["kms:Decrypt"], resources: [dataKey.arn] },
  ],
});

export const api = new sst.aws.ApiGatewayV2("Api", {
  // `cors: false` configures none; SST's default would allow every origin.
  cors:
    config.corsOrigins.length === 0
      ? false
      : {
          allowOrigins: config.corsOrigins,
          allowMethods: ["GET", "POST", "DELETE", "OPTIONS"],
          allowHeaders: ["content-type", "authorization", "x-api-key", "idempotency-key"],
          maxAge: "1 hour",
        },
  transform: {
    stage: {
      defaultRouteSettings: {
        throttlingRateLimit: config.apiThrottleRate,
        throttlingBurstLimit: config.apiThrottleBurst,
      },
    },
  },
});

const ROUTES = [
  "POST /v1/messages",
  "POST /v1/messages/batch",
  "GET /v1/messages",
  "GET /v1/messages/{id}",
  "DELETE /v1/recipients/{recipient}",
  "GET /health",
  "GET /openapi.json",
] as const;

for (const route of ROUTES) api.route(route, ingest.arn);
api.route("POST /v1/messages/{id}/decrypt", ingestDecrypt.arn);
