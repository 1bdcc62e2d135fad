import { config } from "./config";
import { key } from "./keys";
import { emailQueue } from "./queues";
import { table } from "./storage";

/*
 * The HTTP API: one ingest function behind explicit routes, so an unknown path is answered by
 * API Gateway (404) and never invokes Lambda. No `link`, for least privilege (see email.ts).
 */

export const ingest = new sst.aws.Function("Ingest", {
  handler: "services/ingest/src/entrypoints/lambda.handler",
  runtime: "nodejs22.x",
  timeout: "10 seconds",
  memory: "512 MB",
  nodejs: { sourcemap: true },
  environment: {
    HERALD_TABLE_NAME: table.name,
    HERALD_EMAIL_QUEUE_URL: emailQueue.url,
    HERALD_EMAIL_FROM: config.emailFrom,
    HERALD_EMAIL_SENDERS: config.emailSenders.join(","),
    HERALD_LOG_LEVEL: config.logLevel,
    NODE_OPTIONS: "--enable-source-maps",
  },
  permissions: [
    {
      // create (Put + BatchWrite, rolled back by BatchWrite deletes), get, list (Query +
      // BatchGet), mark failed when enqueueing fails (Update), API key look-up (Get)
      actions: [
        "dynamodb:PutItem",
        "dynamodb:BatchWriteItem",
        "dynamodb:GetItem",
        "dynamodb:BatchGetItem",
        "dynamodb:Query",
        "dynamodb:UpdateItem",
      ],
      resources: [table.arn],
    },
    { actions: ["sqs:SendMessage"], resources: [emailQueue.arn] },
    // sending to a KMS-encrypted queue needs a data key
    { actions: ["kms:GenerateDataKey", "kms:Decrypt"], resources: [key.arn] },
  ],
});

export const api = new sst.aws.ApiGatewayV2("Api", {
  // `cors: false` configures none; SST's default would allow every origin.
  cors:
    config.corsOrigins.length === 0
      ? false
      : {
          allowOrigins: config.corsOrigins,
          allowMethods: ["GET", "POST", "OPTIONS"],
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
  "GET /v1/messages",
  "GET /v1/messages/{id}",
  "GET /health",
  "GET /openapi.json",
] as const;

for (const route of ROUTES) api.route(route, ingest.arn);
