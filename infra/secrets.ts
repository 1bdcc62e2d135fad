import { config } from "./config";

/*
 * Provider credentials: AWS Secrets Manager secrets, created here without a value. The operator
 * puts the value (DEVELOPERS.md, Deploy):
 *   aws secretsmanager put-secret-value --secret-id herald/<stage>/SmtpPassword --secret-string '...'
 * so it never passes through `sst deploy`, the Pulumi state or a Lambda environment. Each secret
 * is declared only when its feature is on, and only the function that uses it may read it:
 *   SmtpPassword          HERALD_SMTP_USER set, no OAuth token URL   email consumer
 *   SmtpOAuthClientSecret HERALD_SMTP_OAUTH_TOKEN_URL set             email consumer
 *   TwilioAuthToken       HERALD_SMS_PROVIDER=twilio                  sms consumer
 *   OAuthClientSecret     HERALD_OAUTH_INTROSPECTION_URL set          authorizer
 *   AuditHmacKey          always (erasure needs it)                   ingest
 * The function's HERALD_* variable holds `secretsmanager:<ARN>` (secretReference); the service
 * reads the secret with GetSecretValue (readSecrets) and reuses it for HERALD_SECRETS_MAX_AGE
 * seconds, so a value put after the deploy, or rotated, is picked up without a redeploy. Until
 * a secret has a value, sends that need it fail transiently and retry (then the DLQ); erasure
 * answers 503 and erases nothing.
 *
 * Encrypted with the AWS managed key aws/secretsmanager: Secrets Manager uses it for any caller
 * its IAM policy lets read the secret, so neither the functions nor the operator need a KMS grant.
 * A customer managed key would add one kms:Decrypt (via secretsmanager) per reader and buy
 * nothing here, since the secret's own policy already decides who reads it.
 */

/*
 * Fixed names, herald/<stage>/<Name>, so the put-secret-value line is the same for every deploy.
 * A deleted secret keeps its name for the recovery window (7-30 days, default 30): with one,
 * `sst remove` then a deploy of the same stage would fail ("a secret with this name is already
 * scheduled for deletion") for weeks. So outside production the window is 0 and removal deletes
 * at once (the value must be put again after a redeploy). Production is protected and retained on
 * removal (sst.config.ts), so the window only guards a deletion by hand: the default 30 days.
 */
const recoveryWindowInDays = $app.stage === "production" ? 30 : 0;

function providerSecret(name: string, what: string, reader: string) {
  return new aws.secretsmanager.Secret(name, {
    name: `${$app.name}/${$app.stage}/${name}`,
    description: `Herald ${$app.stage}: ${what}. Put it with aws secretsmanager put-secret-value --secret-id ${$app.name}/${$app.stage}/${name} --secret-string ...; read by the ${reader} only.`,
    recoveryWindowInDays,
    tags: { "herald:stage": $app.stage, "herald:reader": reader },
  });
}

const smtpAuth = config.email.smtp?.auth;

/** The SMTP password of HERALD_SMTP_USER (for SES's SMTP interface: the SMTP credentials' password). */
export const smtpPassword =
  smtpAuth?.mode === "password"
    ? providerSecret("SmtpPassword", `the SMTP password of ${smtpAuth.user} at ${config.email.smtp?.host}`, "email consumer")
    : undefined;

/** The client secret the email consumer gets XOAUTH2 access tokens with (client credentials). */
export const smtpOAuthClientSecret =
  smtpAuth?.mode === "oauth"
    ? providerSecret("SmtpOAuthClientSecret", `the OAuth client secret of client ${smtpAuth.clientId} (SMTP XOAUTH2)`, "email consumer")
    : undefined;

/** Twilio's auth token for HERALD_TWILIO_ACCOUNT_SID. */
export const twilioAuthToken =
  config.smsProvider === "twilio"
    ? providerSecret("TwilioAuthToken", `the Twilio auth token of account ${config.twilioAccountSid}`, "sms consumer")
    : undefined;

/** The secret the authorizer introspects tokens with (HTTP Basic, with HERALD_OAUTH_CLIENT_ID). */
export const oauthClientSecret = config.oauth
  ? providerSecret("OAuthClientSecret", `the OAuth client secret of client ${config.oauth.clientId} (token introspection)`, "authorizer")
  : undefined;

/*
 * The erasure audit's HMAC key (HERALD_AUDIT_HMAC_KEY): an erased recipient is recorded only as
 * HMAC-SHA-256 under it, so the audit confirms an erasure without holding the address, and the
 * audit cannot be reversed by hashing guessed addresses or numbers. Not generated here (the value
 * would sit in the Pulumi state): put 32 random bytes once, and never change them, since a new
 * key no longer matches the earlier audit entries:
 *   aws secretsmanager put-secret-value --secret-id herald/<stage>/AuditHmacKey --secret-string "$(openssl rand -base64 32)"
 */
export const auditHmacKey = providerSecret(
  "AuditHmacKey",
  "the erasure audit's HMAC key (32 random bytes, e.g. openssl rand -base64 32; put once, never changed)",
  "ingest function",
);

/** What a function's secret-valued HERALD_* variable holds: a reference, never the value. */
export function secretReference(secret: aws.secretsmanager.Secret): $util.Output<string> {
  return $interpolate`secretsmanager:${secret.arn}`;
}

/** GetSecretValue on exactly these secrets (their ARNs; Powertools Parameters calls nothing else). */
export function readSecrets(secrets: aws.secretsmanager.Secret[]): sst.aws.FunctionPermissionArgs[] {
  return secrets.length === 0 ? [] : [{ actions: ["secretsmanager:GetSecretValue"], resources: secrets.map((s) => s.arn) }];
}
