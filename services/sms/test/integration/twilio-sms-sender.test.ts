import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { SmsContent } from "@herald/contracts";
import { PermanentError, TransientError, type Secret } from "@herald/platform";
import { freePort } from "@herald/testing";
import { TwilioSmsSender, type TwilioOptions } from "../../src/adapters/twilio-sms-sender";
import { startFakeTwilio, type FakeTwilio, type ScriptedAnswer } from "../support/fake-twilio";

const ACCOUNT_SID = `AC${"0123456789abcdef".repeat(2)}`;
const AUTH_TOKEN = "f00dfeedf00dfeedf00dfeedf00dfeed";
const FROM = "+15005550006";
const SERVICE_SID = `MG${"fedcba9876543210".repeat(2)}`;
let twilio: FakeTwilio;

beforeAll(async () => {
  twilio = await startFakeTwilio({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
});

afterAll(async () => {
  await twilio?.stop();
});

// Every request a test makes must be one Twilio accepts as well-formed, unless it says otherwise.
afterEach(() => {
  twilio.rotateAuthToken(AUTH_TOKEN);
  expect(twilio.takeRejections()).toEqual([]);
});

type StoredSecret = Secret & {
  /** Puts a new value where `refresh` reads it (put-secret-value); `value` keeps the cached one. */
  put(value: string): void;
  refreshes(): number;
};

/** A Secret as Secrets Manager serves one through its cache, in memory: `value` cached, `refresh` reads the store. */
function aSecret(initial: string, options: { unreadable?: boolean } = {}): StoredSecret {
  let stored = initial;
  let cached = initial;
  let refreshes = 0;
  const unreadable = () => new TransientError("secrets.unavailable", "Could not read the secret secretsmanager:twilio-token (AccessDeniedException)");
  return {
    source: "secretsmanager:twilio-token",
    value: async () => {
      if (options.unreadable) throw unreadable();
      return cached;
    },
    refresh: async () => {
      refreshes += 1;
      if (options.unreadable) throw unreadable();
      cached = stored;
      return cached;
    },
    put: (value) => {
      stored = value;
    },
    refreshes: () => refreshes,
  };
}

function aSender(overrides: Partial<TwilioOptions> = {}): TwilioSmsSender {
  return new TwilioSmsSender({
    accountSid: ACCOUNT_SID,
    authToken: aSecret(AUTH_TOKEN),
    from: FROM,
    baseUrl: twilio.baseUrl,
    timeoutMs: 2_000,
    ...overrides,
  });
}

/** A distinct number per test, so the server's scripted answers never cross. */
let nextNumber = 100;
function anSms(text = "Your code is 123456"): SmsContent {
  nextNumber += 1;
  return { channel: "sms", to: `+4479111${String(nextNumber).padStart(5, "0")}`, text };
}

const basicAuthWith = (token: string) => `Basic ${Buffer.from(`${ACCOUNT_SID}:${token}`).toString("base64")}`;
const basicAuth = basicAuthWith(AUTH_TOKEN);
const messagesPath = `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`;

function requestsFor(to: string) {
  return twilio.requests.filter((r) => r.form.To === to);
}

describe("TwilioSmsSender", () => {
  it("posts To, Body and From as a form with basic auth and returns the new Message's sid when Twilio answers 201", async () => {
    // Prepare
    const sms = anSms("Code: 12&34=56 + café ✓");

    // Act
    const { providerMessageId } = await aSender().send(sms);

    // Assess
    expect(providerMessageId).toMatch(/^SM[0-9a-f]{32}$/);
    expect(twilio.created.filter((m) => m.to === sms.to)).toEqual([{ sid: providerMessageId, to: sms.to, body: sms.text }]);
    expect(requestsFor(sms.to)).toEqual([
      {
        method: "POST",
        path: messagesPath,
        authorization: basicAuth,
        contentType: "application/x-www-form-urlencoded",
        form: { To: sms.to, Body: sms.text, From: FROM },
      },
    ]);
  });

  it("sends MessagingServiceSid and no From when only a messaging service is configured", async () => {
    // Prepare
    const sms = anSms();

    // Act
    const { providerMessageId } = await aSender({ from: undefined, messagingServiceSid: SERVICE_SID }).send(sms);

    // Assess
    expect(twilio.created.map((m) => m.sid)).toContain(providerMessageId);
    expect(requestsFor(sms.to).map((r) => [r.method, r.path, r.authorization, r.form])).toEqual([
      ["POST", messagesPath, basicAuth, { To: sms.to, Body: sms.text, MessagingServiceSid: SERVICE_SID }],
    ]);
  });

  it("adds StatusCallback when a status callback URL is configured", async () => {
    // Prepare
    const sms = anSms();
    const callback = "https://herald.example.com/v1/providers/twilio/status";

    // Act
    await aSender({ statusCallback: callback }).send(sms);

    // Assess
    expect(requestsFor(sms.to).map((r) => r.form)).toEqual([{ To: sms.to, Body: sms.text, From: FROM, StatusCallback: callback }]);
  });

  it("refuses to be built without a From number or a messaging service", () => {
    // Act
    const build = () => aSender({ from: undefined, messagingServiceSid: undefined });

    // Assess
    expect(build).toThrow(/From number or a MessagingServiceSid/);
  });

  const failures: { when: string; answer: ScriptedAnswer; permanent: boolean; code: string; reason: RegExp }[] = [
    {
      when: "Twilio answers 400 with 21211 (invalid 'To' number)",
      answer: { kind: "error", status: 400, code: 21211 },
      permanent: true,
      code: "sms.invalid_number",
      reason: /^Twilio refused the message: .*\(21211\)$/,
    },
    {
      when: "Twilio answers 400 with 21610 (unsubscribed)",
      answer: { kind: "error", status: 400, code: 21610 },
      permanent: true,
      code: "sms.unsubscribed",
      reason: /\(21610\)$/,
    },
    {
      when: "Twilio answers 400 with 21614 (not a mobile number)",
      answer: { kind: "error", status: 400, code: 21614 },
      permanent: true,
      code: "sms.not_mobile",
      reason: /\(21614\)$/,
    },
    {
      when: "Twilio answers 400 with 21408 (region not enabled)",
      answer: { kind: "error", status: 400, code: 21408 },
      permanent: true,
      code: "sms.region_not_enabled",
      reason: /\(21408\)$/,
    },
    {
      when: "Twilio answers 400 with a code it has no specific outcome for",
      answer: { kind: "error", status: 400, code: 21620 },
      permanent: true,
      code: "sms.rejected",
      reason: /^Twilio refused the message \(21620\)$/,
    },
    {
      when: "Twilio answers 429 with 20429",
      answer: { kind: "error", status: 429, code: 20429 },
      permanent: false,
      code: "sms.throttled",
      reason: /^Twilio throttled the send \(20429\)$/,
    },
    {
      when: "Twilio answers 500 with 20500",
      answer: { kind: "error", status: 500, code: 20500 },
      permanent: false,
      code: "sms.provider_unavailable",
      reason: /^Twilio failed \(20500\)$/,
    },
    {
      when: "a proxy in front of Twilio answers 502 with an HTML page",
      answer: { kind: "raw", status: 502, contentType: "text/html", body: "<html><body>Bad Gateway</body></html>" },
      permanent: false,
      code: "sms.provider_unavailable",
      reason: /^Twilio failed \(HTTP 502\)$/,
    },
    {
      when: "Twilio answers 201 without a sid",
      answer: { kind: "raw", status: 201, contentType: "application/json", body: JSON.stringify({ status: "queued" }) },
      permanent: false,
      code: "sms.no_message_id",
      reason: /without a message sid/,
    },
  ];

  for (const f of failures) {
    it(`throws ${f.permanent ? "PermanentError" : "TransientError"} ${f.code}, without the number or Twilio's text, when ${f.when}`, async () => {
      // Prepare
      const sms = anSms();
      twilio.answer(sms.to, f.answer);

      // Act
      const error: unknown = await aSender().send(sms).catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(f.permanent ? PermanentError : TransientError);
      expect(error).toMatchObject({ code: f.code, retryable: !f.permanent });
      const reason = error instanceof Error ? error.message : "";
      expect(reason).toMatch(f.reason);
      expect(reason).not.toContain(sms.to);
      expect(reason).not.toContain("is not a valid phone number");
      expect(requestsFor(sms.to)).toHaveLength(1);
    });
  }

  it("throws TransientError sms.provider_auth, not a permanent failure, when Twilio answers 401 with 20003 for a wrong auth token", async () => {
    // Prepare
    const sms = anSms();
    const wrongToken = "0000000000000000000000000000dead";

    // Act
    const authToken = aSecret(wrongToken);
    const attempt = aSender({ authToken }).send(sms);

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(TransientError);
    await expect(attempt).rejects.toMatchObject({ code: "sms.provider_auth", retryable: true, message: "Twilio refused the credentials (20003)" });
    const error: unknown = await attempt.catch((e: unknown) => e);
    expect(String(error instanceof Error && error.message)).not.toContain(wrongToken);
    expect(twilio.takeRejections()).toEqual(["authorization"]);
    // The secret was read again, still held the refused token, so Twilio was not asked twice.
    expect(authToken.refreshes()).toBe(1);
    expect(requestsFor(sms.to)).toHaveLength(1);
  });

  it("reads the token again and sends with it when Twilio refuses a token just rotated (401, 20003)", async () => {
    // Prepare
    const sms = anSms();
    const rotated = "5ec0nd5ec0nd5ec0nd5ec0nd5ec0nd00";
    const authToken = aSecret(AUTH_TOKEN);
    const sender = aSender({ authToken });
    await sender.send(anSms());
    twilio.rotateAuthToken(rotated);
    authToken.put(rotated);

    // Act
    const { providerMessageId } = await sender.send(sms);

    // Assess
    expect(twilio.created.filter((m) => m.to === sms.to)).toEqual([{ sid: providerMessageId, to: sms.to, body: sms.text }]);
    expect(requestsFor(sms.to).map((r) => r.authorization)).toEqual([basicAuth, basicAuthWith(rotated)]);
    expect(authToken.refreshes()).toBe(1);
    expect(twilio.takeRejections()).toEqual(["authorization"]);
  });

  it("throws TransientError sms.provider_auth, after one retry, when the token read again is refused too", async () => {
    // Prepare
    const sms = anSms();
    const authToken = aSecret(AUTH_TOKEN);
    twilio.rotateAuthToken("the-token-only-twilio-knows-000");
    authToken.put("a-token-twilio-never-issued-0000");

    // Act
    const error: unknown = await aSender({ authToken }).send(sms).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ code: "sms.provider_auth", retryable: true, message: "Twilio refused the credentials (20003)" });
    expect(requestsFor(sms.to).map((r) => r.authorization)).toEqual([basicAuth, basicAuthWith("a-token-twilio-never-issued-0000")]);
    expect(authToken.refreshes()).toBe(1);
    expect(twilio.takeRejections()).toEqual(["authorization", "authorization"]);
  });

  it("reads the token once for all the sends Twilio refuses at the same time after a rotation", async () => {
    // Prepare
    const batch = Array.from({ length: 5 }, () => anSms());
    const rotated = "b4tchb4tchb4tchb4tchb4tchb4tch00";
    const authToken = aSecret(AUTH_TOKEN);
    const sender = aSender({ authToken });
    twilio.rotateAuthToken(rotated);
    authToken.put(rotated);

    // Act
    const results = await Promise.all(batch.map((sms) => sender.send(sms)));

    // Assess
    expect(results.map((r) => r.providerMessageId)).toEqual(batch.map((sms) => twilio.created.find((m) => m.to === sms.to)?.sid));
    expect(authToken.refreshes()).toBe(1);
    expect(twilio.takeRejections()).toEqual(batch.map(() => "authorization"));
  });

  it("does not read the token again when Twilio refuses the account for another reason (403)", async () => {
    // Prepare
    const sms = anSms();
    const authToken = aSecret(AUTH_TOKEN);
    twilio.answer(sms.to, { kind: "error", status: 403, code: 20008 });

    // Act
    const attempt = aSender({ authToken }).send(sms);

    // Assess
    await expect(attempt).rejects.toMatchObject({ code: "sms.provider_auth", retryable: true });
    expect(authToken.refreshes()).toBe(0);
    expect(requestsFor(sms.to)).toHaveLength(1);
  });

  it("throws the secret's TransientError, and asks Twilio nothing, when the token cannot be read", async () => {
    // Prepare
    const sms = anSms();

    // Act
    const attempt = aSender({ authToken: aSecret(AUTH_TOKEN, { unreadable: true }) }).send(sms);

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(TransientError);
    await expect(attempt).rejects.toMatchObject({ code: "secrets.unavailable", retryable: true });
    expect(requestsFor(sms.to)).toEqual([]);
  });

  it("throws TransientError sms.network when Twilio does not answer within the timeout", async () => {
    // Prepare
    const sms = anSms();
    twilio.answer(sms.to, { kind: "hang" });
    const started = Date.now();

    // Act
    const attempt = aSender({ timeoutMs: 300 }).send(sms);

    // Assess
    await expect(attempt).rejects.toMatchObject({
      name: "TransientError",
      code: "sms.network",
      retryable: true,
      message: "Twilio did not answer within 300 ms",
    });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(requestsFor(sms.to)).toHaveLength(1);
  });

  it("throws TransientError sms.network when nothing listens at the base URL", async () => {
    // Prepare
    const closed = `http://127.0.0.1:${await freePort()}`;

    // Act
    const attempt = aSender({ baseUrl: closed }).send(anSms());

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(TransientError);
    await expect(attempt).rejects.toMatchObject({ code: "sms.network", message: "Could not reach Twilio (ECONNREFUSED)" });
  });
});
