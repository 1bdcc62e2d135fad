import { emailConfig } from "./email-config";
import { InfraConfigError, int, isHttpsUrl, list, text, type Env } from "./env";

/*
 * Deploy-time settings. The one place infra reads process.env: a missing or bad value stops
 * `sst deploy` before any resource is declared, with one line naming the variable.
 */

const LOG_LEVELS = ["DEBUG", "INFO", "WARN", "ERROR", "SILENT"] as const;
type LogLevel = (typeof LOG_LEVELS)[number];

const EMAIL = /^[^@\s,]+@[^@\s,]+\.[^@\s,]+$/;

function emailFrom(env: Env): string {
  const value = text(env, "HERALD_EMAIL_FROM");
  if (value === undefined) {
    throw new InfraConfigError(
      "HERALD_EMAIL_FROM",
      "is not set; give the SES sender address, e.g. HERALD_EMAIL_FROM=noreply@example.com npx sst deploy --stage you",
    );
  }
  if (!EMAIL.test(value)) throw new InfraConfigError("HERALD_EMAIL_FROM", "must be one email address");
  return value;
}

function originOf(value: string): string | undefined {
  try {
    return new URL(value).origin;
  } catch {
    return undefined;
  }
}

function corsOrigins(env: Env): string[] {
  const origins = list(env, "HERALD_CORS_ORIGINS");
  const bad = origins.find((origin) => origin !== "*" && originOf(origin) !== origin);
  if (bad !== undefined) {
    throw new InfraConfigError("HERALD_CORS_ORIGINS", `"${bad}" is not an origin like https://app.example.com`);
  }
  return origins;
}

function logLevel(env: Env): LogLevel {
  const value = (text(env, "HERALD_LOG_LEVEL") ?? "INFO").toUpperCase();
  const level = LOG_LEVELS.find((l) => l === value);
  if (level === undefined) throw new InfraConfigError("HERALD_LOG_LEVEL", `must be one of ${LOG_LEVELS.join(", ")}`);
  return level;
}

export type InfraConfig = ReturnType<typeof loadInfraConfig>;

/**
 * `root`: where relative paths (HERALD_SMTP_CA_FILE) start, the directory of sst.config.ts, as for
 * SST's own `copyFiles` and `$asset`.
 */
export function loadInfraConfig(env: Env, root: string) {
  refuseSecretValues(env);
  const sms = smsProvider(env);
  return {
    /** The default sender; an SES identity when SES sends (infra/email.ts). */
    emailFrom: emailFrom(env),
    /** Further `from` values callers may use (addresses or @domain), verified outside this app. */
    emailSenders: list(env, "HERALD_EMAIL_SENDERS"),
    /** Browser origins allowed by CORS; none by default (server-to-server API). */
    corsOrigins: corsOrigins(env),
    /** Concurrent email consumer invocations SQS may drive (the event source minimum is 2). */
    emailMaxConcurrency: int(env, "HERALD_EMAIL_MAX_CONCURRENCY", 5, 2, 1000),
    /** Stage-wide edge throttling of the HTTP API. */
    apiThrottleRate: int(env, "HERALD_API_THROTTLE_RATE", 50, 1, 10_000),
    apiThrottleBurst: int(env, "HERALD_API_THROTTLE_BURST", 100, 1, 5_000),
    /** Transports in order (ses, smtp), the SMTP relay and the failover breaker (email-config.ts). */
    email: emailConfig(env, root),
    /** Seconds a function reuses a value read from Secrets Manager before reading it again. */
    secretsMaxAge: int(env, "HERALD_SECRETS_MAX_AGE", 60, 1, 3600),
    /** `sns` (Amazon SNS Publish) or `twilio` (then put the TwilioAuthToken secret, infra/secrets.ts). */
    smsProvider: sms,
    /** An identifier, not a secret: a deploy-time setting; undefined unless Twilio. */
    twilioAccountSid: twilioAccountSid(env, sms),
    twilioFrom: text(env, "HERALD_TWILIO_FROM"),
    twilioMessagingServiceSid: messagingServiceSid(env),
    /** Twilio's StatusCallback for delivery reports; https, as Twilio calls it from the internet. */
    twilioStatusCallback: optionalHttpsUrl(env, "HERALD_TWILIO_STATUS_CALLBACK"),
    /** SNS alphanumeric sender id, where the destination country supports one. */
    snsSenderId: senderId(env),
    smsMaxConcurrency: int(env, "HERALD_SMS_MAX_CONCURRENCY", 5, 2, 1000),
    secureMaxConcurrency: int(env, "HERALD_SECURE_MAX_CONCURRENCY", 2, 2, 1000),
    /** OAuth 2.0 bearer tokens by introspection; undefined (API keys only) unless the URL is set. */
    oauth: oauth(env),
    /**
     * How long API Gateway reuses the authorizer's answer for one Authorization header (0 = never):
     * a revoked key or token keeps working until its entry expires.
     */
    authorizerCacheTtl: int(env, "HERALD_AUTHORIZER_CACHE_TTL", 300, 0, 3600),
    logLevel: logLevel(env),
  };
}

const OAUTH_OPTIONAL = [
  "HERALD_OAUTH_CLIENT_ID",
  "HERALD_OAUTH_ISSUER",
  "HERALD_OAUTH_AUDIENCE",
  "HERALD_OAUTH_ROLES_CLAIM",
  "HERALD_OAUTH_TENANT_CLAIM",
  "HERALD_OAUTH_CACHE_TTL",
] as const;

/*
 * Checked as packages/auth checks them, so a typo stops the deploy rather than every authorizer
 * start. An OAuth setting without the introspection URL is refused: OAuth would silently stay off.
 * The client secret is not a setting but the OAuthClientSecret secret (infra/secrets.ts).
 */
function oauth(env: Env) {
  const url = text(env, "HERALD_OAUTH_INTROSPECTION_URL");
  if (url === undefined) {
    const orphan = OAUTH_OPTIONAL.find((name) => text(env, name) !== undefined);
    if (orphan !== undefined) throw new InfraConfigError(orphan, "has no effect without HERALD_OAUTH_INTROSPECTION_URL");
    return undefined;
  }
  if (!isHttpsUrl(url)) throw new InfraConfigError("HERALD_OAUTH_INTROSPECTION_URL", "must be an https URL");
  const clientId = text(env, "HERALD_OAUTH_CLIENT_ID");
  if (clientId === undefined) {
    throw new InfraConfigError("HERALD_OAUTH_CLIENT_ID", "is required when HERALD_OAUTH_INTROSPECTION_URL is set");
  }
  return {
    introspectionUrl: url,
    clientId,
    /** When set, the introspected `iss` must equal it. */
    issuer: text(env, "HERALD_OAUTH_ISSUER"),
    /** When not empty, the token's `aud` must name one of these. */
    audience: list(env, "HERALD_OAUTH_AUDIENCE"),
    rolesClaim: claim(env, "HERALD_OAUTH_ROLES_CLAIM", "scope"),
    tenantClaim: claim(env, "HERALD_OAUTH_TENANT_CLAIM", "tenant"),
    /** The authorizer's own cache of introspection answers (never past the token's `exp`). */
    cacheTtl: int(env, "HERALD_OAUTH_CACHE_TTL", 300, 1, 3600),
  };
}

/** Plain http would send the client secret and every token in clear; Lambda has no localhost IdP. */
function optionalHttpsUrl(env: Env, name: string): string | undefined {
  const value = text(env, name);
  if (value !== undefined && !isHttpsUrl(value)) throw new InfraConfigError(name, "must be an https URL");
  return value;
}

function senderId(env: Env): string | undefined {
  const value = text(env, "HERALD_SNS_SENDER_ID");
  if (value !== undefined && !/^(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{1,11}$/.test(value)) {
    throw new InfraConfigError("HERALD_SNS_SENDER_ID", "must be 1-11 letters or digits, one letter at least");
  }
  return value;
}

function claim(env: Env, name: string, fallback: string): string {
  const value = text(env, name) ?? fallback;
  if (value.length > 200 || /\s/.test(value)) throw new InfraConfigError(name, "must be one claim name");
  return value;
}

function smsProvider(env: Env): "sns" | "twilio" {
  const value = text(env, "HERALD_SMS_PROVIDER") ?? "sns";
  if (value !== "sns" && value !== "twilio") throw new InfraConfigError("HERALD_SMS_PROVIDER", "must be sns or twilio");
  if (value === "twilio" && !text(env, "HERALD_TWILIO_FROM") && !text(env, "HERALD_TWILIO_MESSAGING_SERVICE_SID")) {
    throw new InfraConfigError("HERALD_TWILIO_FROM", "or HERALD_TWILIO_MESSAGING_SERVICE_SID is required with HERALD_SMS_PROVIDER=twilio");
  }
  return value;
}

/** Checked here as services/sms checks it, so a typo stops the deploy, not the consumer's start. */
function messagingServiceSid(env: Env): string | undefined {
  const value = text(env, "HERALD_TWILIO_MESSAGING_SERVICE_SID");
  if (value !== undefined && !/^MG[0-9a-fA-F]{32}$/.test(value)) {
    throw new InfraConfigError("HERALD_TWILIO_MESSAGING_SERVICE_SID", "must be a messaging service SID (MG + 32 hex)");
  }
  return value;
}

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
} as const;

function refuseSecretValues(env: Env): void {
  for (const [name, secret] of Object.entries(SECRET_VALUES)) {
    if (text(env, name) !== undefined) {
      throw new InfraConfigError(
        name,
        `is a secret, not a deploy-time setting: unset it and put the value in the Secrets Manager secret ${secret} ` +
          `instead (aws secretsmanager put-secret-value --secret-id <the secret${secret} output> --secret-string ...)`,
      );
    }
  }
}

/** Checked as services/sms checks it; ignored with SNS, like the other Twilio settings. */
function twilioAccountSid(env: Env, provider: "sns" | "twilio"): string | undefined {
  const name = "HERALD_TWILIO_ACCOUNT_SID";
  const value = text(env, name);
  if (value === undefined) {
    if (provider === "twilio") {
      throw new InfraConfigError(name, "is required with HERALD_SMS_PROVIDER=twilio: the account SID (AC + 32 hex) from the Twilio console");
    }
    return undefined;
  }
  if (!/^AC[0-9a-fA-F]{32}$/.test(value)) throw new InfraConfigError(name, "must be an account SID (AC + 32 hex)");
  return provider === "twilio" ? value : undefined;
}

export const config = loadInfraConfig(process.env, $cli.paths.root);
