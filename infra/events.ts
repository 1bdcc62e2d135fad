import { email } from "./email";
import { subscribeConsumer } from "./consumer";
import { config } from "./config";
import { CONSUMER_TIMEOUT_SECONDS, MAX_RECEIVES } from "./queues";
import { tableAccess } from "./storage";

/*
 * Delivery events: SES's configuration set publishes every event type of the sender's mail to
 * an SNS topic; the events queue subscribes to it; the events consumer (services/events) applies
 * them to the messages (per-recipient outcomes) and the tenants' suppression lists.
 *
 *   SES configuration set ──▶ SNS topic (own KMS key; only SES, this account, this configuration
 *   set may publish) ──▶ SQS EventsQueue (+ EventsDlq) ──▶ Events Lambda
 */
const caller = aws.getCallerIdentityOutput();
const partition = aws.getPartitionOutput();

/** The events queue is encrypted with SQS's own key: SNS may send to it without a KMS grant. */
export const eventsDlq = new sst.aws.Queue("EventsDlq", {
  transform: { queue: { sqsManagedSseEnabled: true, messageRetentionSeconds: 14 * 24 * 3600 } },
});
export const eventsQueue = new sst.aws.Queue("EventsQueue", {
  dlq: { queue: eventsDlq.arn, retry: MAX_RECEIVES },
  visibilityTimeout: `${CONSUMER_TIMEOUT_SECONDS * 6} seconds`,
  transform: { queue: { sqsManagedSseEnabled: true } },
});

if (email) {
  const configurationSetArn = email.nodes.configurationSet.arn;
  // SES publishes to an encrypted topic only with a customer-managed key whose policy lets it.
  const topicKey = new aws.kms.Key("SesEventsTopicKey", {
    description: `Herald ${$app.stage}: the SES events topic`,
    enableKeyRotation: true,
    deletionWindowInDays: 30,
    policy: $jsonStringify({
      Version: "2012-10-17",
      Statement: [
        { Sid: "Account", Effect: "Allow", Principal: { AWS: $interpolate`arn:${partition.partition}:iam::${caller.accountId}:root` }, Action: "kms:*", Resource: "*" },
        {
          Sid: "SesPublishes",
          Effect: "Allow",
          Principal: { Service: "ses.amazonaws.com" },
          Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
          Resource: "*",
          Condition: { StringEquals: { "aws:SourceAccount": caller.accountId }, ArnLike: { "aws:SourceArn": configurationSetArn } },
        },
        {
          Sid: "SnsDeliversToSqs",
          Effect: "Allow",
          Principal: { Service: "sns.amazonaws.com" },
          Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
          Resource: "*",
          Condition: { StringEquals: { "aws:SourceAccount": caller.accountId } },
        },
      ],
    }),
  });
  const topic = new aws.sns.Topic("SesEventsTopic", { kmsMasterKeyId: topicKey.arn });
  new aws.sns.TopicPolicy("SesEventsTopicPolicy", {
    arn: topic.arn,
    policy: $jsonStringify({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "OnlySesOfThisConfigurationSet",
          Effect: "Allow",
          Principal: { Service: "ses.amazonaws.com" },
          Action: "sns:Publish",
          Resource: topic.arn,
          Condition: { StringEquals: { "AWS:SourceAccount": caller.accountId }, ArnLike: { "AWS:SourceArn": configurationSetArn } },
        },
      ],
    }),
  });
  new aws.sesv2.ConfigurationSetEventDestination("SesEventDestination", {
    configurationSetName: email.nodes.configurationSet.configurationSetName,
    eventDestinationName: "herald-events",
    eventDestination: {
      enabled: true,
      matchingEventTypes: ["SEND", "DELIVERY", "BOUNCE", "COMPLAINT", "REJECT", "DELIVERY_DELAY", "RENDERING_FAILURE"],
      snsDestination: { topicArn: topic.arn },
    },
  });
  // The queue takes messages from this topic only.
  new aws.sqs.QueuePolicy("EventsQueuePolicy", {
    queueUrl: eventsQueue.url,
    policy: $jsonStringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: "sns.amazonaws.com" },
          Action: "sqs:SendMessage",
          Resource: eventsQueue.arn,
          Condition: { ArnEquals: { "aws:SourceArn": topic.arn } },
        },
      ],
    }),
  });
  // SNS-wrapped (not raw): the consumer reads both forms.
  new aws.sns.TopicSubscription("EventsQueueSubscription", { topic: topic.arn, protocol: "sqs", endpoint: eventsQueue.arn });
}

export const eventsConsumer = subscribeConsumer(eventsQueue, {
  handler: "services/events/src/entrypoints/lambda.handler",
  environment: {},
  // read a message and update its outcomes; add suppressions (an UpdateItem): nothing else
  tableKinds: [],
  permissions: [tableAccess(["dynamodb:GetItem", "dynamodb:UpdateItem"], ["message", "suppression"])],
  maxConcurrency: config.emailMaxConcurrency,
});
