import { describe, expect, it } from "vitest";
import { ConfigError } from "@herald/platform";
import { loadConfig } from "../../src/config";

const ACCOUNT_SID = `AC${"1".repeat(32)}`;
const AUTH_TOKEN = "s3cr3t-auth-token-value";
const SERVICE_SID = `MG${"2".repeat(32)}`;
const TWILIO = {
  HERALD_TABLE_NAME: "herald-messages",
  HERALD_SMS_PROVIDER: "twilio",
  HERALD_TWILIO_ACCOUNT_SID: ACCOUNT_SID,
  HERALD_TWILIO_AUTH_TOKEN: AUTH_TOKEN,
  HERALD_TWILIO_FROM: "+15005550006",
};

/** The ConfigError's message, or a failure naming what happened instead. */
function configErrorOf(source: Record<string, string | undefined>): string {
  try {
    loadConfig(source);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error("expected a ConfigError, but the configuration loaded");
}

describe("loadConfig", () => {
  it("uses SNS and the consumers' shared defaults when only the table is set", () => {
    // Act
    const config = loadConfig({ HERALD_TABLE_NAME: "herald-messages" });

    // Assess
    expect(config).toEqual({
      tableName: "herald-messages",
      queueUrl: undefined,
      provider: { kind: "sns", senderId: undefined },
      maxSendRate: 0,
      secretsMaxAgeSeconds: 60,
      claimLeaseSeconds: 120,
      maxReceives: 5,
      sendTimeoutMs: 10_000,
      workerBatchSize: 10,
      workerBatchTimeoutMs: 30_000,
      logLevel: "INFO",
    });
  });

  it("passes the SNS sender id and the queue URL through when they are set", () => {
    // Act
    const config = loadConfig({ HERALD_TABLE_NAME: "t", HERALD_SNS_SENDER_ID: "Herald", HERALD_SMS_QUEUE_URL: "http://127.0.0.1:5000/000000000000/herald-sms" });

    // Assess
    expect(config.provider).toEqual({ kind: "sns", senderId: "Herald" });
    expect(config.queueUrl).toBe("http://127.0.0.1:5000/000000000000/herald-sms");
  });

  it("treats a blank optional setting as unset", () => {
    // Act
    const config = loadConfig({ HERALD_TABLE_NAME: "t", HERALD_SNS_SENDER_ID: " ", HERALD_TWILIO_STATUS_CALLBACK: "" });

    // Assess
    expect(config.provider).toEqual({ kind: "sns", senderId: undefined });
  });

  it("builds the Twilio settings with Twilio's base URL when the provider is twilio", () => {
    // Act
    const config = loadConfig({ ...TWILIO, HERALD_TWILIO_STATUS_CALLBACK: "https://herald.example.com/twilio/status" });

    // Assess
    expect(config.provider).toEqual({
      kind: "twilio",
      accountSid: ACCOUNT_SID,
      authToken: { kind: "value", value: AUTH_TOKEN },
      from: "+15005550006",
      messagingServiceSid: undefined,
      baseUrl: "https://api.twilio.com",
      statusCallback: "https://herald.example.com/twilio/status",
    });
  });

  it("takes HERALD_TWILIO_AUTH_TOKEN=secretsmanager:<ARN> as a reference to the secret, and HERALD_SECRETS_MAX_AGE as its max age", () => {
    // Prepare
    const arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:herald/prod/TwilioAuthToken-AbCdEf";

    // Act
    const config = loadConfig({ ...TWILIO, HERALD_TWILIO_AUTH_TOKEN: `secretsmanager:${arn}`, HERALD_SECRETS_MAX_AGE: "300" });

    // Assess
    expect(config.provider).toMatchObject({ kind: "twilio", authToken: { kind: "secretsmanager", id: arn } });
    expect(config.secretsMaxAgeSeconds).toBe(300);
  });

  it("accepts a messaging service instead of a From number", () => {
    // Act
    const config = loadConfig({ ...TWILIO, HERALD_TWILIO_FROM: undefined, HERALD_TWILIO_MESSAGING_SERVICE_SID: SERVICE_SID });

    // Assess
    expect(config.provider).toMatchObject({ kind: "twilio", from: undefined, messagingServiceSid: SERVICE_SID });
  });

  it("throws a ConfigError naming HERALD_TWILIO_AUTH_TOKEN alone when the provider is twilio and the token is missing", () => {
    // Act
    const message = configErrorOf({ ...TWILIO, HERALD_TWILIO_AUTH_TOKEN: undefined });

    // Assess
    expect(message).toBe("invalid configuration: HERALD_TWILIO_AUTH_TOKEN: is required when HERALD_SMS_PROVIDER=twilio");
  });

  it("throws a ConfigError naming HERALD_TWILIO_AUTH_TOKEN when the token is blank", () => {
    // Act
    const message = configErrorOf({ ...TWILIO, HERALD_TWILIO_AUTH_TOKEN: "  " });

    // Assess
    expect(message).toBe("invalid configuration: HERALD_TWILIO_AUTH_TOKEN: is required when HERALD_SMS_PROVIDER=twilio");
  });

  it("names every missing Twilio setting, and any other bad variable, in one line when the provider is twilio", () => {
    // Act
    const message = configErrorOf({ HERALD_TABLE_NAME: "t", HERALD_SMS_PROVIDER: "twilio", HERALD_MAX_RECEIVES: "many" });

    // Assess
    expect(message).not.toContain("\n");
    expect(message).toMatch(/^invalid configuration: /);
    for (const variable of ["HERALD_MAX_RECEIVES", "HERALD_TWILIO_ACCOUNT_SID", "HERALD_TWILIO_AUTH_TOKEN", "HERALD_TWILIO_FROM"]) {
      expect(message).toContain(`${variable}: `);
    }
    expect(message).toContain("HERALD_TWILIO_FROM: or HERALD_TWILIO_MESSAGING_SERVICE_SID is required");
  });

  it("names a malformed account SID without echoing it or the auth token", () => {
    // Act
    const message = configErrorOf({ ...TWILIO, HERALD_TWILIO_ACCOUNT_SID: "AC-not-a-sid" });

    // Assess
    expect(message).toBe("invalid configuration: HERALD_TWILIO_ACCOUNT_SID: must be an account SID (AC + 32 hex)");
    expect(message).not.toContain(AUTH_TOKEN);
  });

  it("requires no Twilio setting when the provider is sns", () => {
    // Act
    const load = () => loadConfig({ HERALD_TABLE_NAME: "t", HERALD_SMS_PROVIDER: "sns" });

    // Assess
    expect(load).not.toThrow();
  });

  const bad: [variable: string, value: string, problem: string][] = [
    ["HERALD_SMS_PROVIDER", "carrier-pigeon", "must be sns or twilio"],
    ["HERALD_TWILIO_FROM", "+1 555 CALL NOW", "must be an E.164 number or a sender id of up to 11 letters and digits"],
    ["HERALD_TWILIO_MESSAGING_SERVICE_SID", "MG123", "must be a messaging service SID (MG + 32 hex)"],
    ["HERALD_TWILIO_BASE_URL", "ftp://api.twilio.com", "must be an http(s) URL"],
    ["HERALD_TWILIO_STATUS_CALLBACK", "not a url", "must be an http(s) URL"],
    ["HERALD_SNS_SENDER_ID", "Herald Alerts", "must be 1-11 letters or digits, one letter at least"],
    ["HERALD_SMS_MAX_SEND_RATE", "fast", "must be a number"],
    ["HERALD_TWILIO_AUTH_TOKEN", "secretsmanager:", "needs a secret name or ARN after secretsmanager:"],
    ["HERALD_SECRETS_MAX_AGE", "0", "must be at least 1"],
  ];
  for (const [variable, value, problem] of bad) {
    it(`throws a ConfigError naming ${variable} when it is ${JSON.stringify(value)}`, () => {
      // Act
      const message = configErrorOf({ ...TWILIO, [variable]: value });

      // Assess
      expect(message).toBe(`invalid configuration: ${variable}: ${problem}`);
    });
  }

  it("throws a ConfigError naming HERALD_TABLE_NAME when it is missing", () => {
    // Act
    const message = configErrorOf({});

    // Assess
    expect(message).toBe("invalid configuration: HERALD_TABLE_NAME: is required");
  });
});
