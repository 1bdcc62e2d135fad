import { config } from "./config";
import { key } from "./keys";
import { CONSUMER_TIMEOUT_SECONDS, MAX_RECEIVES, emailQueue } from "./queues";
import { table } from "./storage";

/*
 * The SES sender identity and the email consumer. No `link`: linking the table, queue and
 * identity would grant dynamodb:*, sqs:* and ses:*; the consumer gets only the actions below
 * (plus the receive/delete actions sst.aws.Queue adds for its event source mapping). The
 * services read their settings from HERALD_* variables, not from SST's Resource object.
 */

export const email = new sst.aws.Email("Sender", {
  sender: config.emailFrom,
});

const region = aws.getRegionOutput();
const caller = aws.getCallerIdentityOutput();
const partition = aws.getPartitionOutput();

// In the SES sandbox, sending is authorised against the recipient identities too, so the
// policy names every identity of this account and region rather than the sender alone.
const sesIdentities = $interpolate`arn:${partition.partition}:ses:${region.name}:${caller.accountId}:identity/*`;

export const emailConsumer = emailQueue.subscribe(
  {
    handler: "services/email/src/entrypoints/lambda.handler",
    runtime: "nodejs22.x",
    timeout: `${CONSUMER_TIMEOUT_SECONDS} seconds`,
    memory: "512 MB",
    nodejs: { sourcemap: true },
    environment: {
      HERALD_TABLE_NAME: table.name,
      HERALD_EMAIL_QUEUE_URL: emailQueue.url,
      HERALD_EMAIL_FROM: config.emailFrom,
      HERALD_SES_CONFIGURATION_SET: email.configSet,
      HERALD_MAX_RECEIVES: String(MAX_RECEIVES),
      HERALD_LOG_LEVEL: config.logLevel,
      NODE_OPTIONS: "--enable-source-maps",
    },
    permissions: [
      // claim (conditional update), read back, record the outcome
      { actions: ["dynamodb:GetItem", "dynamodb:UpdateItem"], resources: [table.arn] },
      {
        actions: ["ses:SendEmail", "ses:SendRawEmail"],
        resources: [sesIdentities, email.nodes.configurationSet.arn],
      },
      // the queue is encrypted with the app key: receiving decrypts
      { actions: ["kms:Decrypt"], resources: [key.arn] },
    ],
  },
  {
    batch: { size: 10, window: "1 second", partialResponses: true },
    transform: {
      eventSourceMapping: {
        scalingConfig: { maximumConcurrency: config.emailMaxConcurrency },
      },
    },
  },
);
