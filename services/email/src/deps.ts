import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SESv2Client } from "@aws-sdk/client-sesv2";
import { DynamoMessageStore, DynamoRateLimiter } from "@herald/messages";
import { createLogger, systemClock } from "@herald/platform";
import { SesEmailSender } from "./adapters/ses-email-sender";
import type { EmailConfig } from "./config";
import type { HandleDeps } from "./domain/handle-message";

/** The composition root: adapters built once per process from configuration. */
export function buildDeps(config: EmailConfig): HandleDeps {
  const ses = new SESv2Client({ requestHandler: { requestTimeout: config.sendTimeoutMs } });
  const dynamo = new DynamoDBClient({});
  return {
    store: new DynamoMessageStore(dynamo, config.tableName),
    ...(config.maxSendRate > 0 && {
      limiter: new DynamoRateLimiter(dynamo, config.tableName, { name: "email", perSecond: config.maxSendRate }),
    }),
    sender: new SesEmailSender(ses, { configurationSet: config.configurationSet }),
    clock: systemClock,
    logger: createLogger("email", config.logLevel),
    claimLeaseSeconds: config.claimLeaseSeconds,
    maxReceives: config.maxReceives,
  };
}
