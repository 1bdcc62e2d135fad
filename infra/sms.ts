import { tableAccess } from "./storage";
import { config } from "./config";
import { subscribeConsumer } from "./consumer";
import { smsOnlyPublish } from "./policies";
import { queues } from "./queues";
import { readSecrets, secretReference, twilioAuthToken } from "./secrets";

/*
 * The sms consumer: Twilio or Amazon SNS. With Twilio it alone may read the TwilioAuthToken
 * secret (infra/secrets.ts; its variable holds `secretsmanager:<ARN>`, the service reads the value
 * at run time); the account SID is a deploy-time setting, an identifier, not a secret. With SNS
 * it may publish SMS instead, to phone numbers only: sns:Publish to a phone number has no ARN to
 * scope it to, so the Allow is on "*" and a Deny on every SNS ARN keeps topics and platform
 * endpoints out (infra/policies.ts). Twilio needs no other IAM: it is HTTPS to api.twilio.com.
 */
const partition = aws.getPartitionOutput();

export const smsConsumer = subscribeConsumer(queues.sms.queue, {
  handler: "services/sms/src/entrypoints/lambda.handler",
  environment: {
    HERALD_SMS_PROVIDER: config.smsProvider,
    ...(twilioAuthToken &&
      config.twilioAccountSid && {
        HERALD_TWILIO_ACCOUNT_SID: config.twilioAccountSid,
        HERALD_TWILIO_AUTH_TOKEN: secretReference(twilioAuthToken),
        HERALD_SECRETS_MAX_AGE: String(config.secretsMaxAge),
        ...(config.twilioFrom && { HERALD_TWILIO_FROM: config.twilioFrom }),
        ...(config.twilioMessagingServiceSid && { HERALD_TWILIO_MESSAGING_SERVICE_SID: config.twilioMessagingServiceSid }),
        ...(config.twilioStatusCallback && { HERALD_TWILIO_STATUS_CALLBACK: config.twilioStatusCallback }),
      }),
    // HERALD_TWILIO_BASE_URL is not passed: on AWS it is always Twilio's own API.
    ...(config.smsProvider === "sns" && config.snsSenderId && { HERALD_SNS_SENDER_ID: config.snsSenderId }),
  },
  permissions: [
    ...(config.smsProvider === "sns"
      ? smsOnlyPublish($interpolate`arn:${partition.partition}:sns:*:*:*`)
      : readSecrets(twilioAuthToken ? [twilioAuthToken] : [])),
    // the tenants' suppression lists: read before each send; a Twilio 21610 adds the number
    tableAccess(["dynamodb:BatchGetItem", "dynamodb:UpdateItem"], ["suppression"]),
  ],
  maxConcurrency: config.smsMaxConcurrency,
});
