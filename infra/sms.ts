import { config } from "./config";
import { subscribeConsumer } from "./consumer";
import { smsQueue } from "./queues";
import { twilio } from "./secrets";

/*
 * The sms consumer: Twilio or Amazon SNS. It alone holds the Twilio secrets (infra/secrets.ts),
 * and only when Twilio is the provider; with SNS it may publish SMS instead (sns:Publish to a
 * phone number has no topic ARN to scope it to, so the resource is "*"). Twilio needs no IAM:
 * it is HTTPS to api.twilio.com.
 */
export const smsConsumer = subscribeConsumer(smsQueue, {
  handler: "services/sms/src/entrypoints/lambda.handler",
  environment: {
    HERALD_SMS_PROVIDER: config.smsProvider,
    ...(twilio && {
      HERALD_TWILIO_ACCOUNT_SID: twilio.accountSid,
      HERALD_TWILIO_AUTH_TOKEN: twilio.authToken,
      ...(config.twilioFrom && { HERALD_TWILIO_FROM: config.twilioFrom }),
      ...(config.twilioMessagingServiceSid && { HERALD_TWILIO_MESSAGING_SERVICE_SID: config.twilioMessagingServiceSid }),
      ...(config.twilioStatusCallback && { HERALD_TWILIO_STATUS_CALLBACK: config.twilioStatusCallback }),
    }),
    // HERALD_TWILIO_BASE_URL is not passed: on AWS it is always Twilio's own API.
    ...(config.smsProvider === "sns" && config.snsSenderId && { HERALD_SNS_SENDER_ID: config.snsSenderId }),
  },
  permissions: config.smsProvider === "sns" ? [{ actions: ["sns:Publish"], resources: ["*"] }] : [],
  maxConcurrency: config.smsMaxConcurrency,
});
