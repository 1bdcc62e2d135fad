import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SESv2Client } from "@aws-sdk/client-sesv2";
import { lazySender, recordBudgetMs, sendingClientConfig } from "@herald/delivery";
import type { Consumer } from "@herald/delivery/runtime";
import { DynamoMessageStore, DynamoRateLimiter, DynamoSuppressionList } from "@herald/messages/dynamo";
import { createLogger, systemClock } from "@herald/platform";
import { SesEmailSender } from "./adapters/ses-email-sender";
import { loadConfig, type EmailConfig } from "./config";
import { FailoverEmailSender } from "./domain/failover";
import { handleEmailMessage, type HandleDeps } from "./domain/handle-message";
import type { EmailSender } from "./ports/email-sender";

export type EmailDeps = HandleDeps & { sender: FailoverEmailSender };

/** The email consumer as its Lambda handler and its worker run it (see @herald/delivery/runtime). */
export const emailConsumer: Consumer<EmailConfig, EmailDeps> = {
  loadConfig,
  buildDeps,
  handle: handleEmailMessage,
  // Failover may try every transport within one record, each up to the send timeout.
  recordBudgetMs: (config) => recordBudgetMs(config.transports.length, config.sendTimeoutMs),
  queueUrlVariable: "HERALD_EMAIL_QUEUE_URL",
  announce: (config, deps) => deps.logger.info("email transports", { transports: describeTransports(config) }),
  close: (deps) => deps.sender.close(),
};

/** The composition root: adapters built once per process from configuration. */
export function buildDeps(config: EmailConfig): EmailDeps {
  // DynamoDB keeps the SDK's retries: its calls are conditional writes and reads, quick and safe
  // to repeat, and the outcome written after SES accepted a message must land, or the message is
  // sent again once the claim's lease runs out. SES gets one attempt (sendingClientConfig).
  const dynamo = new DynamoDBClient({});
  const logger = createLogger("email", config.logLevel);
  const senders = config.transports.map((name): EmailSender => {
    if (name === "ses") {
      const ses = new SESv2Client(sendingClientConfig(config.sendTimeoutMs));
      return new SesEmailSender(ses, { configurationSet: config.configurationSet });
    }
    const smtp = config.smtp;
    if (!smtp) throw new Error("unreachable: smtp transport without settings");
    // nodemailer (and the OAuth client, and Secrets Manager) load with the first message the relay
    // takes: with SES in front, a cold start carries none of them
    return lazySender("smtp", async () => (await import("./smtp-transport")).smtpSender(smtp, config));
  });
  return {
    store: new DynamoMessageStore(dynamo, config.tableName),
    suppressions: new DynamoSuppressionList(dynamo, config.tableName),
    ...(config.maxSendRate > 0 && {
      limiter: new DynamoRateLimiter(dynamo, config.tableName, { name: "email", perSecond: config.maxSendRate }),
    }),
    sender: new FailoverEmailSender(senders, { ...config.breaker, logger }),
    clock: systemClock,
    logger,
    claimLeaseSeconds: config.claimLeaseSeconds,
    maxReceives: config.maxReceives,
  };
}

/** One line at start-up saying where mail goes; no secret, no user name. */
export function describeTransports(config: EmailConfig): string {
  return config.transports
    .map((name) => {
      if (name === "ses" || !config.smtp) return name;
      const { host, port, tls, auth, caFile } = config.smtp;
      const how = auth.kind === "password" ? "password" : auth.kind === "oauth" ? "XOAUTH2" : "no AUTH";
      return `smtp ${host}:${port} (${tls}, ${how}${caFile ? ", extra CA" : ""})`;
    })
    .join(" then ");
}
