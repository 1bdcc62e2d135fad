import { config } from "./config";
import { subscribeConsumer } from "./consumer";
import { emailQueue } from "./queues";

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

export const emailConsumer = subscribeConsumer(emailQueue, {
  handler: "services/email/src/entrypoints/lambda.handler",
  environment: {
    HERALD_EMAIL_FROM: config.emailFrom,
    HERALD_SES_CONFIGURATION_SET: email.configSet,
  },
  permissions: [
    {
      actions: ["ses:SendEmail", "ses:SendRawEmail"],
      resources: [sesIdentities, email.nodes.configurationSet.arn],
    },
  ],
  maxConcurrency: config.emailMaxConcurrency,
});
