import { tableAccess } from "./storage";
import { relative } from "node:path";
import { config } from "./config";
import { subscribeConsumer } from "./consumer";
import { SES_SMTP_HOST, type SmtpConfig } from "./email-config";
import { sesSendPermissions } from "./policies";
import { queues } from "./queues";
import { readSecrets, secretReference, smtpOAuthClientSecret, smtpPassword } from "./secrets";

/*
 * The SES sender identity and the email consumer. No `link`: linking the table, queue and
 * identity would grant dynamodb:*, sqs:* and ses:*; the consumer gets only the actions below
 * (plus the receive/delete actions sst.aws.Queue adds for its event source mapping). The
 * services read their settings from HERALD_* variables, not from SST's Resource object.
 *
 * Transports (HERALD_EMAIL_TRANSPORTS, infra/email-config.ts): SES's API, an SMTP relay, or both
 * in order, the second taking over when the first fails transiently (the breaker settings).
 * The consumer is not in a VPC, so it reaches SES and the relay over the internet; its egress
 * cannot be limited to the relay's host and port without a VPC (NAT gateway, security group or
 * network ACL), which Herald does not create (DEVELOPERS.md).
 */

const { transports, smtp, breaker } = config.email;
const usesSes = transports.includes("ses");

/*
 * The identity exists where SES sends: through its API, or through its SMTP interface
 * (email-smtp.<region>.amazonaws.com), which also sends only from verified identities. For any
 * other relay it would only mail a verification link nobody needs: the relay decides who sends.
 */
export const email =
  usesSes || (smtp !== undefined && SES_SMTP_HOST.test(smtp.host))
    ? new sst.aws.Email("Sender", { sender: config.emailFrom })
    : undefined;

const region = aws.getRegionOutput();
const caller = aws.getCallerIdentityOutput();
const partition = aws.getPartitionOutput();

// In the SES sandbox, sending is authorised against the recipient identities too, so the
// policy names every identity of this account and region rather than the sender alone.
const sesIdentities = $interpolate`arn:${partition.partition}:ses:${region.name}:${caller.accountId}:identity/*`;

/*
 * Where the CA bundle sits in the function package: copyFiles puts it at this path relative to
 * the package root, which Lambda unpacks into LAMBDA_TASK_ROOT, /var/task. The variable gets the
 * absolute path. A relative one would resolve too (the Node.js runtime starts with cwd /var/task,
 * and the consumer reads the file with readFileSync relative to cwd), but that is observed
 * behaviour, not documented; /var/task is. Under `sst dev` the function runs on this machine, so
 * it gets the file's own path instead (SST leaves copyFiles out of the dev stub's package).
 * A changed file changes the package hash: the next deploy updates the function.
 */
const CA_IN_PACKAGE = "certs/smtp-ca.pem";
const LAMBDA_TASK_ROOT = "/var/task";

function caFile(caPath: string) {
  return {
    environment: { HERALD_SMTP_CA_FILE: $dev ? caPath : `${LAMBDA_TASK_ROOT}/${CA_IN_PACKAGE}` },
    // copyFiles' `from` is relative to the directory of sst.config.ts (SST joins it to that root)
    copyFiles: [{ from: relative($cli.paths.root, caPath), to: CA_IN_PACKAGE }],
  };
}

/** The HERALD_SMTP_* variables services/email reads; the secrets as references only. */
function smtpEnvironment(relay: SmtpConfig): Record<string, $util.Input<string>> {
  const { auth } = relay;
  return {
    HERALD_SMTP_HOST: relay.host,
    // always explicit, so the service's default can never differ from the port checked here
    HERALD_SMTP_PORT: String(relay.port),
    HERALD_SMTP_TLS: relay.tls,
    ...(relay.idleTimeoutSeconds !== undefined && { HERALD_SMTP_IDLE_TIMEOUT_SECONDS: String(relay.idleTimeoutSeconds) }),
    ...(auth.mode !== "none" && { HERALD_SMTP_USER: auth.user }),
    ...(auth.mode === "password" && smtpPassword && { HERALD_SMTP_PASSWORD: secretReference(smtpPassword) }),
    ...(auth.mode === "oauth" &&
      smtpOAuthClientSecret && {
        HERALD_SMTP_OAUTH_TOKEN_URL: auth.tokenUrl,
        HERALD_SMTP_OAUTH_CLIENT_ID: auth.clientId,
        HERALD_SMTP_OAUTH_CLIENT_SECRET: secretReference(smtpOAuthClientSecret),
        ...(auth.scope !== undefined && { HERALD_SMTP_OAUTH_SCOPE: auth.scope }),
      }),
  };
}

const secrets = [smtpPassword, smtpOAuthClientSecret].filter((s) => s !== undefined);
const ca = smtp?.caFile === undefined ? undefined : caFile(smtp.caFile);

export const emailConsumer = subscribeConsumer(queues.email.queue, {
  handler: "services/email/src/entrypoints/lambda.handler",
  environment: {
    HERALD_EMAIL_FROM: config.emailFrom,
    // always explicit: the service's default (smtp when a host is set) is decided here already
    HERALD_EMAIL_TRANSPORTS: transports.join(","),
    HERALD_EMAIL_BREAKER_FAILURES: String(breaker.failures),
    HERALD_EMAIL_BREAKER_COOLDOWN_SECONDS: String(breaker.cooldownSeconds),
    ...(usesSes && email && { HERALD_SES_CONFIGURATION_SET: email.configSet }),
    ...(smtp && smtpEnvironment(smtp)),
    ...ca?.environment,
    ...(secrets.length > 0 && { HERALD_SECRETS_MAX_AGE: String(config.secretsMaxAge) }),
  },
  copyFiles: ca?.copyFiles,
  permissions: [
    // SES's API only when it is a transport (its SMTP interface authenticates with the SMTP
    // credentials in SmtpPassword, not with this role), and only from the senders ingest allows
    // (ses:FromAddress; infra/policies.ts): the account's other verified identities stay out
    ...(usesSes && email
      ? sesSendPermissions([sesIdentities, email.nodes.configurationSet.arn], { from: config.emailFrom, senders: config.emailSenders })
      : []),
    // its own secrets only (none with an open relay or SES alone)
    ...readSecrets(secrets),
    // the tenants' suppression lists, read before each send
    tableAccess(["dynamodb:BatchGetItem"], ["suppression"]),
  ],
  maxConcurrency: config.emailMaxConcurrency,
});
