import * as z from "zod";
import {
  CorsEnv,
  EmailTransportEnv,
  emailTransports,
  env,
  issuesOf,
  OAuthEnv,
  oauthIssues,
  oauthSettings,
  SecretsEnv,
  SendersEnv,
  SmsProviderEnv,
  smsProviderIssues,
  smtpIssues,
  smtpSettings,
  type Issue,
  type SecretSetting,
} from "@herald/settings";
import { SmsPolicyEnv, smsPolicySettings } from "@herald/settings/sms-policy";
import { emailConfig, smtpDeployIssues, withCaFileFromRoot } from "./email-config";
import { deployEnvironment, InfraConfigError, isHttpsUrl, type Env } from "./env";

/*
 * Deploy-time settings, judged before any resource is declared. A value a service also reads is
 * judged by that service's own schema (@herald/settings), so `sst deploy` refuses exactly what the
 * function would refuse at every start, with the same words. Infra adds only what is its own: the
 * settings nobody else reads (below) and the rules that exist because the functions run on Lambda
 * (https only, port 25, secrets not as settings, paths from the directory of sst.config.ts).
 * Pure: config.ts passes process.env and that directory in, so tests can call it.
 */

/** Read by infra alone: how far each consumer scales, the edge throttle, the authorizer's cache. */
const InfraEnv = z.object({
  /**
   * Concurrent consumer invocations SQS may drive (the event source minimum is 2). Email: 2, as
   * two instances sending one message at a time (~65 ms each on AWS) hold SES's usual 14/s; more
   * only wait for send slots in billed time. Raise it with the account's send rate.
   */
  HERALD_EMAIL_MAX_CONCURRENCY: env.int(2, 2, 1000),
  HERALD_SMS_MAX_CONCURRENCY: env.int(5, 2, 1000),
  HERALD_SECURE_MAX_CONCURRENCY: env.int(2, 2, 1000),
  /** The webhook consumer's: how many endpoints are posted to at once (each post waits up to 10 s). */
  HERALD_WEBHOOK_MAX_CONCURRENCY: env.int(5, 2, 1000),
  /** Stage-wide edge throttling of the HTTP API. */
  HERALD_API_THROTTLE_RATE: env.int(50, 1, 10_000),
  HERALD_API_THROTTLE_BURST: env.int(100, 1, 5_000),
  /**
   * How long API Gateway reuses the authorizer's answer for one Authorization header (0 = never):
   * a revoked key or token keeps working until its entry expires.
   */
  HERALD_AUTHORIZER_CACHE_TTL: env.int(300, 0, 3600),
  /**
   * Source maps in the functions' packages and `--enable-source-maps` at run time (readable stack
   * traces in the logs, ~25 ms more per cold start and slower error stacks). Off: SST still builds
   * them and uploads them to its bootstrap bucket (for the SST Console), outside the packages.
   */
  HERALD_SOURCE_MAPS: z.enum(["off", "on"], { error: "must be off or on" }).default("off"),
});

const DeployEnv = InfraEnv.extend(SendersEnv.shape)
  .extend(CorsEnv.shape)
  .extend({ HERALD_LOG_LEVEL: env.logLevel() })
  .extend(SecretsEnv.shape)
  .extend(EmailTransportEnv.shape)
  .extend(SmsProviderEnv.shape)
  .extend(SmsPolicyEnv.shape)
  .extend(OAuthEnv.shape);
type DeployEnv = z.infer<typeof DeployEnv>;

/*
 * A provider credential is never a deploy-time setting: infra would have to put it in the Lambda
 * environment, readable by anyone who may read the function's configuration and kept in every
 * version. Each lives in a Secrets Manager secret (infra/secrets.ts) the function reads at run
 * time; setting one here would do nothing, so it is refused rather than silently ignored.
 */
const SECRET_VALUES = {
  HERALD_SMTP_PASSWORD: "SmtpPassword",
  HERALD_SMTP_OAUTH_CLIENT_SECRET: "SmtpOAuthClientSecret",
  HERALD_TWILIO_AUTH_TOKEN: "TwilioAuthToken",
  HERALD_OAUTH_CLIENT_SECRET: "OAuthClientSecret",
  HERALD_AUDIT_HMAC_KEY: "AuditHmacKey",
} as const;

const EMAIL_FROM_UNSET =
  "is not set; give the SES sender address, e.g. HERALD_EMAIL_FROM=noreply@example.com npx sst deploy --stage you";

export type InfraConfig = ReturnType<typeof loadInfraConfig>;

/**
 * `root`: where relative paths (HERALD_SMTP_CA_FILE) start, the directory of sst.config.ts, as for
 * SST's own `copyFiles` and `$asset`.
 */
export function loadInfraConfig(source: Env, root: string) {
  const given = deployEnvironment(source);
  refuseSecretValues(given);
  const parsed = DeployEnv.safeParse(withCaFileFromRoot(given, root));
  if (!parsed.success) {
    const issues = issuesOf(parsed.error);
    throw new InfraConfigError(
      issues.map((issue) => (issue.path === "HERALD_EMAIL_FROM" && given.HERALD_EMAIL_FROM === undefined ? { ...issue, message: EMAIL_FROM_UNSET } : issue)),
    );
  }
  const transports = emailTransports(parsed.data);
  const e = withSecretReferences(parsed.data, transports.includes("smtp"));
  // An issue naming a secret variable only follows from another one: infra sets each reference
  // whenever the settings call for its secret.
  const crossField = [...smtpIssues(e, transports.includes("smtp")), ...smsProviderIssues(e), ...oauthIssues(e)];
  failOn(crossField.filter((issue) => !(issue.path in SECRET_VALUES)));

  const relay = transports.includes("smtp") ? smtpSettings(e) : undefined;
  const oauth = oauthSettings(e);
  failOn([...(relay ? smtpDeployIssues(relay, e) : []), ...oauthDeployIssues(e, given)]);

  const twilio = e.HERALD_SMS_PROVIDER === "twilio";
  return {
    /** The default sender; an SES identity when SES sends (infra/email.ts). */
    emailFrom: e.HERALD_EMAIL_FROM,
    /** Further `from` values callers may use (addresses or @domain), verified outside this app. */
    emailSenders: e.HERALD_EMAIL_SENDERS,
    /** Browser origins allowed by CORS; none by default (server-to-server API). */
    corsOrigins: e.HERALD_CORS_ORIGINS,
    emailMaxConcurrency: e.HERALD_EMAIL_MAX_CONCURRENCY,
    /** Source maps in the packages and enabled at run time (infra/lambda.ts); off by default. */
    sourceMaps: e.HERALD_SOURCE_MAPS === "on",
    apiThrottleRate: e.HERALD_API_THROTTLE_RATE,
    apiThrottleBurst: e.HERALD_API_THROTTLE_BURST,
    /** Transports in order (ses, smtp), the SMTP relay and the failover breaker (email-config.ts). */
    email: emailConfig(transports, relay, e),
    /** Seconds a function reuses a value read from Secrets Manager before reading it again. */
    secretsMaxAge: e.HERALD_SECRETS_MAX_AGE,
    /** `sns` (Amazon SNS Publish) or `twilio` (then put the TwilioAuthToken secret, infra/secrets.ts). */
    smsProvider: e.HERALD_SMS_PROVIDER,
    /** An identifier, not a secret: a deploy-time setting; undefined unless Twilio. */
    twilioAccountSid: twilio ? e.HERALD_TWILIO_ACCOUNT_SID : undefined,
    twilioFrom: e.HERALD_TWILIO_FROM,
    twilioMessagingServiceSid: e.HERALD_TWILIO_MESSAGING_SERVICE_SID,
    /** Twilio's StatusCallback for delivery reports. */
    twilioStatusCallback: e.HERALD_TWILIO_STATUS_CALLBACK,
    /** SNS alphanumeric sender id, where the destination country supports one. */
    snsSenderId: e.HERALD_SNS_SENDER_ID,
    smsMaxConcurrency: e.HERALD_SMS_MAX_CONCURRENCY,
    /** Where SMS may go (undefined: every country) and the per-tenant daily quota; the ingest API applies both. */
    sms: smsPolicySettings(e),
    secureMaxConcurrency: e.HERALD_SECURE_MAX_CONCURRENCY,
    webhookMaxConcurrency: e.HERALD_WEBHOOK_MAX_CONCURRENCY,
    /** OAuth 2.0 bearer tokens by introspection; undefined (API keys only) unless the URL is set. */
    oauth: oauth && {
      introspectionUrl: oauth.introspectionUrl,
      clientId: oauth.clientId,
      /** When set, the introspected `iss` must equal it. */
      issuer: oauth.issuer,
      /** When not empty, the token's `aud` must name one of these. */
      audience: oauth.audiences,
      rolesClaim: oauth.rolesClaim,
      tenantClaim: oauth.tenantClaim,
      /** The authorizer's own cache of introspection answers (never past the token's `exp`). */
      cacheTtl: oauth.cacheTtlSeconds,
      /** The authorizer's introspection client; passed on only when given (its defaults fit its timeout). */
      client: {
        ...(given.HERALD_OAUTH_NEGATIVE_CACHE_TTL !== undefined && { negativeCacheTtl: oauth.negativeCacheTtlSeconds }),
        ...(given.HERALD_OAUTH_TIMEOUT_MS !== undefined && { timeoutMs: oauth.timeoutMs }),
        ...(given.HERALD_OAUTH_RETRIES !== undefined && { retries: oauth.retries }),
      },
    },
    /** How long API Gateway reuses the authorizer's answer for one Authorization header (0 = never). */
    authorizerCacheTtl: e.HERALD_AUTHORIZER_CACHE_TTL,
    /** Either case is accepted; the functions get it upper-cased. */
    logLevel: e.HERALD_LOG_LEVEL.toUpperCase(),
  };
}

function failOn(issues: Issue[]): void {
  if (issues.length > 0) throw new InfraConfigError(issues);
}

function refuseSecretValues(given: Env): void {
  failOn(
    Object.entries(SECRET_VALUES)
      .filter(([name]) => given[name] !== undefined)
      .map(([name, secret]) => ({
        path: name,
        message:
          `is a secret, not a deploy-time setting: unset it and put the value in the Secrets Manager secret ${secret} ` +
          `instead (aws secretsmanager put-secret-value --secret-id <the secret${secret} output> --secret-string ...)`,
      })),
  );
}

/**
 * The secret variables as the functions get them: a reference to each secret infra declares for
 * these settings (infra/secrets.ts), so the services' rules judge what will really be deployed.
 * The relay's secret follows the auth mode: the OAuth token URL means XOAUTH2's client secret,
 * else a user means a password.
 */
function withSecretReferences(e: DeployEnv, smtp: boolean): DeployEnv {
  const reference = (name: keyof typeof SECRET_VALUES): SecretSetting => ({ kind: "secretsmanager", id: SECRET_VALUES[name] });
  const smtpOAuth = smtp && e.HERALD_SMTP_OAUTH_TOKEN_URL !== undefined;
  const smtpPassword = smtp && !smtpOAuth && e.HERALD_SMTP_USER !== undefined;
  return {
    ...e,
    HERALD_SMTP_PASSWORD: smtpPassword ? reference("HERALD_SMTP_PASSWORD") : undefined,
    HERALD_SMTP_OAUTH_CLIENT_SECRET: smtpOAuth ? reference("HERALD_SMTP_OAUTH_CLIENT_SECRET") : undefined,
    HERALD_TWILIO_AUTH_TOKEN: e.HERALD_SMS_PROVIDER === "twilio" ? reference("HERALD_TWILIO_AUTH_TOKEN") : undefined,
    HERALD_OAUTH_CLIENT_SECRET: e.HERALD_OAUTH_INTROSPECTION_URL !== undefined ? reference("HERALD_OAUTH_CLIENT_SECRET") : undefined,
  };
}

/** The OAuth settings packages/auth reads besides the URL and the secret. */
const OAUTH_OPTIONAL = Object.keys(OAuthEnv.shape).filter(
  (name) => name !== "HERALD_OAUTH_INTROSPECTION_URL" && name !== "HERALD_OAUTH_CLIENT_SECRET",
);

function oauthDeployIssues(e: DeployEnv, given: Env): Issue[] {
  const url = e.HERALD_OAUTH_INTROSPECTION_URL;
  if (url === undefined) {
    // Without the URL infra passes the authorizer no OAuth setting: one given would be dropped,
    // and OAuth would silently stay off.
    return OAUTH_OPTIONAL.filter((name) => given[name] !== undefined).map((name) => ({
      path: name,
      message: "has no effect without HERALD_OAUTH_INTROSPECTION_URL",
    }));
  }
  return isHttpsUrl(url) ? [] : [{ path: "HERALD_OAUTH_INTROSPECTION_URL", message: "must be an https URL" }];
}
