import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rootCertificates } from "node:tls";
import { describe, expect, it } from "vitest";
import type * as z from "zod";
import { loadInfraConfig } from "../../../../infra/deploy-config";
import { InfraConfigError } from "../../../../infra/env";
import {
  addIssues,
  ConfigError,
  CorsEnv,
  EmailTransportEnv,
  OAuthEnv,
  oauthIssues,
  parseEnv,
  SecretsEnv,
  SendersEnv,
  SmsProviderEnv,
  smsProviderIssues,
  SmtpEnv,
} from "../../src/index";
import { SmsPolicyEnv } from "../../src/sms-policy";

/*
 * infra/deploy-config.ts, the deploy-time half of these settings: sst.config.ts calls it with
 * process.env (infra/config.ts); here it gets an environment of the test's own. It judges a value
 * a service also reads with that service's schema, and adds infra's own rules on top.
 */

const ROOT = mkdtempSync(join(tmpdir(), "herald-infra-config-"));
const BASE = { HERALD_EMAIL_FROM: "noreply@example.com" };
const RELAY = { HERALD_SMTP_HOST: "smtp.example.com" };
const ACCOUNT_SID = `AC${"1".repeat(32)}`;
const OAUTH = {
  HERALD_OAUTH_INTROSPECTION_URL: "https://idp.example.com/oauth2/introspect",
  HERALD_OAUTH_CLIENT_ID: "herald",
  HERALD_OAUTH_AUDIENCE: "https://api.example.com",
};
const PREFIX = "herald: invalid deploy configuration: ";

const load = (env: Record<string, string | undefined>) => loadInfraConfig({ ...BASE, ...env }, ROOT);

/** The InfraConfigError's message, or a failure naming what happened instead. */
function infraErrorOf(env: Record<string, string | undefined>): string {
  try {
    load(env);
  } catch (error) {
    if (error instanceof InfraConfigError) return error.message;
    throw error;
  }
  throw new Error("expected an InfraConfigError, but the configuration loaded");
}

/** The problem a service's config.ts reports for the same variables (parseEnv's ConfigError). */
function serviceProblemOf(schema: z.ZodType, env: Record<string, string | undefined>): string {
  try {
    parseEnv(schema, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message.replace(/^invalid configuration: /, "");
    throw error;
  }
  throw new Error("expected a ConfigError, but the configuration parsed");
}

describe("loadInfraConfig", () => {
  it("takes the services' defaults and infra's own when only the sender is set", () => {
    // Act
    const config = load({});

    // Assess
    expect(config).toMatchObject({
      emailFrom: "noreply@example.com",
      emailSenders: [],
      corsOrigins: [],
      email: { transports: ["ses"], smtp: undefined, breaker: { failures: 5, cooldownSeconds: 30 } },
      secretsMaxAge: 60,
      smsProvider: "sns",
      twilioAccountSid: undefined,
      oauth: undefined,
      logLevel: "INFO",
      emailMaxConcurrency: 2,
      smsMaxConcurrency: 5,
      secureMaxConcurrency: 2,
      apiThrottleRate: 50,
      apiThrottleBurst: 100,
      authorizerCacheTtl: 300,
      sms: { countries: undefined, dailyQuota: undefined },
      sourceMaps: false,
    });
  });

  it("hands the ingest API the SMS countries, upper-cased and once each, and the daily quota", () => {
    // Act
    const config = load({ HERALD_SMS_COUNTRIES: "gb, IE,GB", HERALD_SMS_DAILY_QUOTA: "500" });

    // Assess
    expect(config.sms).toEqual({ countries: ["GB", "IE"], dailyQuota: 500 });
  });

  it("trims what the deploying shell gave, counts a blank value as unset and upper-cases the log level", () => {
    // Act
    const config = load({ HERALD_EMAIL_FROM: " noreply@example.com ", HERALD_CORS_ORIGINS: " ", HERALD_LOG_LEVEL: "debug" });

    // Assess
    expect(config.emailFrom).toBe("noreply@example.com");
    expect(config.corsOrigins).toEqual([]);
    expect(config.logLevel).toBe("DEBUG");
  });

  it("says how to give the sender when HERALD_EMAIL_FROM is unset", () => {
    // Act
    const message = infraErrorOf({ HERALD_EMAIL_FROM: undefined });

    // Assess
    expect(message).toBe(`${PREFIX}HERALD_EMAIL_FROM: is not set; give the SES sender address, e.g. HERALD_EMAIL_FROM=noreply@example.com npx sst deploy --stage you`);
  });

  it("names every bad variable in one line", () => {
    // Act
    const message = infraErrorOf({ HERALD_CORS_ORIGINS: "*", HERALD_EMAIL_MAX_CONCURRENCY: "1", HERALD_SMS_PROVIDER: "pigeon" });

    // Assess
    expect(message.split("\n")).toHaveLength(1);
    for (const variable of ["HERALD_CORS_ORIGINS.0", "HERALD_EMAIL_MAX_CONCURRENCY", "HERALD_SMS_PROVIDER"]) expect(message).toContain(`${variable}: `);
  });
});

describe("loadInfraConfig: a value a service also reads", () => {
  // What each service's config.ts parses these variables with, and an environment as the
  // function gets it: infra sets each secret variable to a secretsmanager: reference.
  const SmsChecked = SmsProviderEnv.superRefine(addIssues(smsProviderIssues));
  const OAuthChecked = OAuthEnv.superRefine(addIssues(oauthIssues));
  const cases: [what: string, schema: z.ZodType, deploy: Record<string, string>, asDeployed?: Record<string, string>][] = [
    ["a CORS origin of *, which the ingest app refuses", CorsEnv, { HERALD_CORS_ORIGINS: "https://app.example.com,*" }],
    ["a default sender that is not an address", SendersEnv, { HERALD_EMAIL_FROM: "noreply@exa mple.com" }],
    ["a sender that is neither an address nor @domain", SendersEnv, { HERALD_EMAIL_SENDERS: "example.com" }],
    [
      "an account SID that is not one",
      SmsChecked,
      { HERALD_SMS_PROVIDER: "twilio", HERALD_TWILIO_ACCOUNT_SID: "AC123", HERALD_TWILIO_FROM: "+15005550006" },
      { HERALD_TWILIO_AUTH_TOKEN: "secretsmanager:t" },
    ],
    ["a Twilio From that is neither a number nor a sender id", SmsChecked, { HERALD_TWILIO_FROM: "+1 555 CALL NOW" }],
    ["Twilio without a sender", SmsChecked, { HERALD_SMS_PROVIDER: "twilio", HERALD_TWILIO_ACCOUNT_SID: ACCOUNT_SID }, { HERALD_TWILIO_AUTH_TOKEN: "secretsmanager:t" }],
    ["a transport named twice", EmailTransportEnv, { HERALD_EMAIL_TRANSPORTS: "ses,ses" }],
    ["a relay host with a space", SmtpEnv, { HERALD_SMTP_HOST: "smtp example.com" }],
    ["a scope that is not scope tokens", SmtpEnv, { ...RELAY, HERALD_SMTP_OAUTH_SCOPE: "a  b" }],
    ["a secrets max age of 0", SecretsEnv, { HERALD_SECRETS_MAX_AGE: "0" }],
    ["an SMS country that is not an ISO 3166-1 code", SmsPolicyEnv, { HERALD_SMS_COUNTRIES: "GB,UK" }],
    ["an SMS daily quota of 0", SmsPolicyEnv, { HERALD_SMS_DAILY_QUOTA: "0" }],
    ["a roles claim with a space", OAuthChecked, { ...OAUTH, HERALD_OAUTH_ROLES_CLAIM: "realm roles" }, { HERALD_OAUTH_CLIENT_SECRET: "secretsmanager:s" }],
  ];

  it.each(cases)("refuses %s with the service's words", (_what, schema, deploy, asDeployed = {}) => {
    // Prepare
    const problem = serviceProblemOf(schema, { ...BASE, ...deploy, ...asDeployed });

    // Act
    const message = infraErrorOf(deploy);

    // Assess
    expect(message).toBe(`${PREFIX}${problem}`);
  });

  it("refuses plain http to a relay's token endpoint, as services/email does", () => {
    // Act
    const message = infraErrorOf({ ...RELAY, HERALD_SMTP_USER: "m@example.com", HERALD_SMTP_OAUTH_TOKEN_URL: "http://idp.example.com/token", HERALD_SMTP_OAUTH_CLIENT_ID: "app" });

    // Assess
    expect(message).toBe(`${PREFIX}HERALD_SMTP_OAUTH_TOKEN_URL: must be https (plain http only for localhost)`);
  });

  it("refuses credentials without TLS with services/email's cross-field rule", () => {
    // Act
    const message = infraErrorOf({ ...RELAY, HERALD_SMTP_TLS: "none", HERALD_SMTP_PORT: "2525", HERALD_SMTP_USER: "u" });

    // Assess
    expect(message).toBe(`${PREFIX}HERALD_SMTP_TLS: none is only for an open relay; with HERALD_SMTP_USER set use starttls or implicit`);
  });

  it("names the missing setting, not the secret infra declares itself, when XOAUTH2 lacks its token URL", () => {
    // Act
    const message = infraErrorOf({ ...RELAY, HERALD_SMTP_USER: "m@example.com", HERALD_SMTP_OAUTH_CLIENT_ID: "app" });

    // Assess
    expect(message).toBe(`${PREFIX}HERALD_SMTP_OAUTH_TOKEN_URL: is required with HERALD_SMTP_OAUTH_CLIENT_ID (XOAUTH2)`);
  });

  it("refuses an SMTP setting without smtp among the transports", () => {
    // Act
    const message = infraErrorOf({ HERALD_EMAIL_TRANSPORTS: "ses", ...RELAY });

    // Assess
    expect(message).toBe(`${PREFIX}HERALD_SMTP_HOST: has no effect without smtp in HERALD_EMAIL_TRANSPORTS`);
  });
});

describe("loadInfraConfig: the secrets", () => {
  it.each([
    ["HERALD_SMTP_PASSWORD", "SmtpPassword"],
    ["HERALD_SMTP_OAUTH_CLIENT_SECRET", "SmtpOAuthClientSecret"],
    ["HERALD_TWILIO_AUTH_TOKEN", "TwilioAuthToken"],
    ["HERALD_OAUTH_CLIENT_SECRET", "OAuthClientSecret"],
    ["HERALD_AUDIT_HMAC_KEY", "AuditHmacKey"],
  ])("refuses %s as a deploy-time setting, pointing to the %s secret, before any other check", (variable, secret) => {
    // Act
    const message = infraErrorOf({ [variable]: "hunter2-very-secret", HERALD_CORS_ORIGINS: "*" });

    // Assess
    expect(message).toBe(
      `${PREFIX}${variable}: is a secret, not a deploy-time setting: unset it and put the value in the Secrets Manager secret ${secret} ` +
        `instead (aws secretsmanager put-secret-value --secret-id <the secret${secret} output> --secret-string ...)`,
    );
    expect(message).not.toContain("hunter2");
  });

  it("takes the relay's auth mode from the settings: a user means a password, the token URL XOAUTH2", () => {
    // Act
    const password = load({ ...RELAY, HERALD_SMTP_USER: "u" });
    const oauth = load({
      ...RELAY,
      HERALD_SMTP_USER: "noreply@contoso.com",
      HERALD_SMTP_OAUTH_TOKEN_URL: "https://login.microsoftonline.com/t/oauth2/v2.0/token",
      HERALD_SMTP_OAUTH_CLIENT_ID: "app",
      HERALD_SMTP_OAUTH_SCOPE: "https://outlook.office365.com/.default",
    });
    const open = load(RELAY);

    // Assess
    expect(password.email.smtp?.auth).toEqual({ mode: "password", user: "u" });
    expect(oauth.email.smtp?.auth).toEqual({
      mode: "oauth",
      user: "noreply@contoso.com",
      tokenUrl: "https://login.microsoftonline.com/t/oauth2/v2.0/token",
      clientId: "app",
      scope: "https://outlook.office365.com/.default",
    });
    expect(open.email.smtp).toMatchObject({ host: "smtp.example.com", port: 587, tls: "starttls", auth: { mode: "none" } });
  });

  it("requires no Twilio token, which is a secret, only the account and a sender", () => {
    // Act
    const message = infraErrorOf({ HERALD_SMS_PROVIDER: "twilio", HERALD_TWILIO_FROM: "+15005550006" });
    const config = load({ HERALD_SMS_PROVIDER: "twilio", HERALD_TWILIO_ACCOUNT_SID: ACCOUNT_SID, HERALD_TWILIO_FROM: "+15005550006" });

    // Assess
    expect(message).toBe(`${PREFIX}HERALD_TWILIO_ACCOUNT_SID: is required when HERALD_SMS_PROVIDER=twilio`);
    expect(config).toMatchObject({ smsProvider: "twilio", twilioAccountSid: ACCOUNT_SID, twilioFrom: "+15005550006" });
  });

  it("takes OAuth with its client id, and passes the client's tuning on only when given", () => {
    // Act
    const plain = load(OAUTH);
    const tuned = load({ ...OAUTH, HERALD_OAUTH_TIMEOUT_MS: "1500", HERALD_OAUTH_AUDIENCE: "a, b" });

    // Assess
    expect(plain.oauth).toEqual({
      introspectionUrl: "https://idp.example.com/oauth2/introspect",
      clientId: "herald",
      issuer: undefined,
      audience: ["https://api.example.com"],
      rolesClaim: "scope",
      tenantClaim: "tenant",
      cacheTtl: 300,
      client: {},
    });
    expect(tuned.oauth).toMatchObject({ audience: ["a", "b"], client: { timeoutMs: 1500 } });
  });

  it("requires the OAuth client id with the introspection URL, as packages/auth does", () => {
    // Act
    const message = infraErrorOf({ ...OAUTH, HERALD_OAUTH_CLIENT_ID: undefined });

    // Assess
    expect(message).toBe(`${PREFIX}HERALD_OAUTH_CLIENT_ID: is required when HERALD_OAUTH_INTROSPECTION_URL is set`);
  });

  it("refuses to deploy introspection without an audience, with the words the authorizer would refuse to start with", () => {
    // Prepare
    const env = { ...OAUTH, HERALD_OAUTH_AUDIENCE: undefined };
    const service = serviceProblemOf(OAuthEnv.superRefine(addIssues(oauthIssues)), { ...env, HERALD_OAUTH_CLIENT_SECRET: "s" });

    // Act
    const message = infraErrorOf(env);

    // Assess
    expect(service).toBe(
      "HERALD_OAUTH_AUDIENCE: is required when HERALD_OAUTH_INTROSPECTION_URL is set: " +
        "the audience Herald's tokens carry (aud), or * to accept tokens for any audience",
    );
    expect(message).toBe(`${PREFIX}${service}`);
  });

  it("passes HERALD_OAUTH_AUDIENCE=*, the explicit opt-out of the audience check, on to the authorizer", () => {
    // Act
    const config = load({ ...OAUTH, HERALD_OAUTH_AUDIENCE: "*" });

    // Assess
    expect(config.oauth?.audience).toEqual(["*"]);
  });

  it("lowers Herald's introspection cache with API Gateway's: HERALD_OAUTH_CACHE_TTL follows HERALD_AUTHORIZER_CACHE_TTL unless given", () => {
    // Act
    const lowered = load({ ...OAUTH, HERALD_AUTHORIZER_CACHE_TTL: "30" });
    const off = load({ ...OAUTH, HERALD_AUTHORIZER_CACHE_TTL: "0" });
    const own = load({ ...OAUTH, HERALD_AUTHORIZER_CACHE_TTL: "30", HERALD_OAUTH_CACHE_TTL: "120" });

    // Assess
    expect([lowered.authorizerCacheTtl, lowered.oauth?.cacheTtl]).toEqual([30, 30]);
    expect([off.authorizerCacheTtl, off.oauth?.cacheTtl]).toEqual([0, 0]);
    expect([own.authorizerCacheTtl, own.oauth?.cacheTtl]).toEqual([30, 120]);
  });
});

describe("loadInfraConfig: infra's own rules", () => {
  it.each([
    ["given", { HERALD_SMTP_PORT: "25" }, "HERALD_SMTP_PORT: is 25: AWS blocks outbound port 25 from Lambda; use 587 (STARTTLS) or 465 (implicit TLS)"],
    [
      "the default with HERALD_SMTP_TLS=none",
      { HERALD_SMTP_TLS: "none" },
      "HERALD_SMTP_PORT: is 25 by default with HERALD_SMTP_TLS=none, but AWS blocks outbound port 25 from Lambda; use 587 (STARTTLS) or 465 (implicit TLS)",
    ],
  ])("refuses port 25 %s, which services/email accepts", (_how, env, problem) => {
    // Prepare
    const service = () => parseEnv(SmtpEnv, { ...RELAY, ...env });

    // Act
    const message = infraErrorOf({ ...RELAY, ...env });

    // Assess
    expect(service).not.toThrow();
    expect(message).toBe(`${PREFIX}${problem}`);
  });

  it("refuses a plain-http token endpoint on localhost, which services/email accepts for development", () => {
    // Prepare
    const env = { ...RELAY, HERALD_SMTP_USER: "m@example.com", HERALD_SMTP_OAUTH_TOKEN_URL: "http://localhost:8080/token", HERALD_SMTP_OAUTH_CLIENT_ID: "app" };

    // Act
    const message = infraErrorOf(env);

    // Assess
    expect(() => parseEnv(SmtpEnv, env)).not.toThrow();
    expect(message).toBe(`${PREFIX}HERALD_SMTP_OAUTH_TOKEN_URL: must be an https URL`);
  });

  it("refuses a plain-http introspection endpoint on a loopback host, which packages/auth accepts for development", () => {
    // Prepare
    const env = { ...OAUTH, HERALD_OAUTH_INTROSPECTION_URL: "http://127.0.0.1:9000/introspect" };

    // Act
    const message = infraErrorOf(env);

    // Assess
    expect(() => parseEnv(OAuthEnv, env)).not.toThrow();
    expect(message).toBe(`${PREFIX}HERALD_OAUTH_INTROSPECTION_URL: must be an https URL`);
  });

  it("refuses an OAuth setting without the introspection URL, which infra would not pass on", () => {
    // Act
    const message = infraErrorOf({ HERALD_OAUTH_AUDIENCE: "https://api.example.com" });

    // Assess
    expect(message).toBe(`${PREFIX}HERALD_OAUTH_AUDIENCE: has no effect without HERALD_OAUTH_INTROSPECTION_URL`);
  });

  it("finds a relative CA file from the directory of sst.config.ts, and refuses one that is missing there", () => {
    // Prepare
    mkdirSync(join(ROOT, "certs"), { recursive: true });
    writeFileSync(join(ROOT, "certs", "relay-ca.pem"), `${rootCertificates[0] ?? ""}\n`);

    // Act
    const config = load({ ...RELAY, HERALD_SMTP_CA_FILE: "certs/relay-ca.pem" });
    const message = infraErrorOf({ ...RELAY, HERALD_SMTP_CA_FILE: "certs/nope.pem" });

    // Assess
    expect(config.email.smtp?.caFile).toBe(join(ROOT, "certs", "relay-ca.pem"));
    expect(message).toBe(`${PREFIX}HERALD_SMTP_CA_FILE: cannot read ${join(ROOT, "certs", "nope.pem")} (ENOENT)`);
  });

  it("refuses a CA file with HERALD_SMTP_TLS=none, where infra would bundle it for nothing", () => {
    // Prepare
    writeFileSync(join(ROOT, "ca.pem"), `${rootCertificates[0] ?? ""}\n`);

    // Act
    const message = infraErrorOf({ ...RELAY, HERALD_SMTP_TLS: "none", HERALD_SMTP_PORT: "2525", HERALD_SMTP_CA_FILE: "ca.pem" });

    // Assess
    expect(message).toBe(`${PREFIX}HERALD_SMTP_CA_FILE: has no effect with HERALD_SMTP_TLS=none`);
  });

  it("bounds infra's own settings with the services' integer rule", () => {
    // Act
    const message = infraErrorOf({ HERALD_EMAIL_MAX_CONCURRENCY: "1", HERALD_AUTHORIZER_CACHE_TTL: "soon" });

    // Assess
    expect(message).toBe(`${PREFIX}HERALD_EMAIL_MAX_CONCURRENCY: must be at least 2; HERALD_AUTHORIZER_CACHE_TTL: must be a number`);
  });

  it("puts source maps in the packages only when HERALD_SOURCE_MAPS=on, and refuses any other word", () => {
    // Act
    const on = load({ HERALD_SOURCE_MAPS: "on" });
    const message = infraErrorOf({ HERALD_SOURCE_MAPS: "yes" });

    // Assess
    expect(on.sourceMaps).toBe(true);
    expect(message).toBe(`${PREFIX}HERALD_SOURCE_MAPS: must be off or on`);
  });

  it("passes the relay's idle timeout on only when given", () => {
    // Act
    const fallback = load(RELAY);
    const given = load({ ...RELAY, HERALD_SMTP_IDLE_TIMEOUT_SECONDS: "45" });

    // Assess
    expect(fallback.email.smtp?.idleTimeoutSeconds).toBeUndefined();
    expect(given.email.smtp?.idleTimeoutSeconds).toBe(45);
  });
});
