import { config } from "./config";
import { key } from "./keys";
import { CONSUMER_TIMEOUT_SECONDS, MAX_RECEIVES, smsQueue } from "./queues";
import { twilio } from "./secrets";
import { table } from "./storage";

/*
 * The sms consumer: Twilio or Amazon SNS. It alone holds the Twilio secrets; with SNS it may
 * publish SMS (sns:Publish to a phone number has no topic ARN to scope it to).
 */
export const smsConsumer = smsQueue.subscribe(
  {
    handler: "services/sms/src/entrypoints/lambda.handler",
    runtime: "nodejs22.x",
    timeout: `${CONSUMER_TIMEOUT_SECONDS} seconds`,
    memory: "512 MB",
    nodejs: { sourcemap: true },
    environment: {
      HERALD_TABLE_NAME: table.name,
      HERALD_SMS_PROVIDER: config.smsProvider,
      HERALD_MAX_RECEIVES: String(MAX_RECEIVES),
      HERALD_LOG_LEVEL: config.logLevel,
      NODE_OPTIONS: "--enable-source-maps",
      ...(twilio && {
        HERALD_TWILIO_ACCOUNT_SID: twilio.accountSid.value,
        HERALD_TWILIO_AUTH_TOKEN: twilio.authToken.value,
        ...(config.twilioFrom && { HERALD_TWILIO_FROM: config.twilioFrom }),
        ...(config.twilioMessagingServiceSid && { HERALD_TWILIO_MESSAGING_SERVICE_SID: config.twilioMessagingServiceSid }),
      }),
    },
    permissions: [
      { actions: ["dynamodb:GetItem", "dynamodb:UpdateItem"], resources: [table.arn] },
      { actions: ["kms:Decrypt"], resources: [key.arn] },
      ...(config.smsProvider === "sns" ? [{ actions: ["sns:Publish"], resources: ["*"] }] : []),
    ],
  },
  {
    batch: { size: 10, window: "1 second", partialResponses: true },
    transform: { eventSourceMapping: { scalingConfig: { maximumConcurrency: config.smsMaxConcurrency } } },
  },
);
