import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SNSClient } from "@aws-sdk/client-sns";
import { recordBudgetMs, sendingClientConfig } from "@herald/delivery";
import type { Consumer } from "@herald/delivery/runtime";
import { DynamoMessageStore, DynamoRateLimiter, DynamoSuppressionList } from "@herald/messages/dynamo";
import { createLogger, systemClock, type Logger } from "@herald/platform";
import { createSecrets } from "@herald/platform/secrets";
import { SnsSmsSender } from "./adapters/sns-sms-sender";
import { TwilioSmsSender } from "./adapters/twilio-sms-sender";
import { loadConfig, type SmsConfig } from "./config";
import { handleSmsMessage, type HandleDeps } from "./domain/handle-message";
import type { SmsSender } from "./ports/sms-sender";

/** The sms consumer as its Lambda handler and its worker run it (see @herald/delivery/runtime). */
export const smsConsumer: Consumer<SmsConfig, HandleDeps> = {
  loadConfig,
  buildDeps,
  handle: handleSmsMessage,
  recordBudgetMs: (config) => recordBudgetMs(1, config.sendTimeoutMs),
  queueUrlVariable: "HERALD_SMS_QUEUE_URL",
};

/** The composition root: adapters built once per process from configuration. */
export function buildDeps(config: SmsConfig): HandleDeps {
  // DynamoDB keeps the SDK's retries (the outcome written after the provider accepted must land);
  // the provider gets one attempt: SNS through sendingClientConfig, Twilio's fetch has no retries.
  const dynamo = new DynamoDBClient({});
  const logger = createLogger("sms", config.logLevel);
  return {
    store: new DynamoMessageStore(dynamo, config.tableName),
    suppressions: new DynamoSuppressionList(dynamo, config.tableName),
    ...(config.maxSendRate > 0 && {
      limiter: new DynamoRateLimiter(dynamo, config.tableName, { name: "sms", perSecond: config.maxSendRate }),
    }),
    sender: senderFor(config, logger),
    clock: systemClock,
    logger,
    claimLeaseSeconds: config.claimLeaseSeconds,
    maxReceives: config.maxReceives,
  };
}

function senderFor(config: SmsConfig, logger: Logger): SmsSender {
  const provider = config.provider;
  if (provider.kind === "sns") {
    const sns = new SNSClient(sendingClientConfig(config.sendTimeoutMs));
    return new SnsSmsSender(sns, { senderId: provider.senderId });
  }
  // Built once per process: its cache is what keeps Secrets Manager to one read per max age.
  const authToken = createSecrets({ maxAgeSeconds: config.secretsMaxAgeSeconds })(provider.authToken, "HERALD_TWILIO_AUTH_TOKEN");
  return new TwilioSmsSender({
    accountSid: provider.accountSid,
    authToken,
    from: provider.from,
    messagingServiceSid: provider.messagingServiceSid,
    statusCallback: provider.statusCallback,
    baseUrl: provider.baseUrl,
    timeoutMs: config.sendTimeoutMs,
    logger,
  });
}
