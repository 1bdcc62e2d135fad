import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MessageRecord } from "@herald/contracts";
import { DynamoMessageStore } from "@herald/messages/dynamo";
import {
  aMessageRecord,
  anEnvelope,
  makeTestCertificates,
  provision,
  startAwsProxy,
  startMoto,
  startSmtpServer,
  useEmulatorEnv,
  type AwsProxy,
  type Emulator,
  type SmtpTestServer,
} from "@herald/testing";
import { loadConfig } from "../../src/config";
import { buildDeps, type EmailDeps } from "../../src/deps";
import { handleEmailMessage } from "../../src/domain/handle-message";

const SENDER = "noreply@herald.test";
let moto: Emulator;
let proxy: AwsProxy;
let relay: SmtpTestServer;
let deps: EmailDeps;
let store: DynamoMessageStore;
/** While true the proxy answers SES's SendEmail with a throttling error, as SES does past its rate. */
let sesThrottling = false;

beforeAll(async () => {
  moto = await startMoto();
  useEmulatorEnv(moto.endpoint);
  const resources = await provision({ prefix: "failover-it", senders: [SENDER] });
  proxy = await startAwsProxy({
    target: moto.endpoint,
    fault: (operation) =>
      sesThrottling && operation === "SESv2.SendEmail"
        ? {
            status: 429,
            headers: { "x-amzn-errortype": "TooManyRequestsException" },
            body: JSON.stringify({ __type: "TooManyRequestsException", message: "Maximum sending rate exceeded." }),
          }
        : undefined,
  });
  const certificates = await makeTestCertificates();
  relay = await startSmtpServer({ tls: "starttls", certificates, auth: { users: { mailer: "relay-password" } } });
  // Every AWS call of the consumer goes through the proxy. The SDK's own retries are not what
  // this test is about: one attempt, so a throttled SES fails at once.
  useEmulatorEnv(proxy.endpoint);
  process.env.AWS_MAX_ATTEMPTS = "1";
  const config = loadConfig({
    HERALD_TABLE_NAME: resources.tableName,
    HERALD_LOG_LEVEL: "SILENT",
    HERALD_EMAIL_MAX_SEND_RATE: "0",
    HERALD_EMAIL_TRANSPORTS: "ses,smtp",
    HERALD_SMTP_HOST: relay.host,
    HERALD_SMTP_PORT: String(relay.port),
    HERALD_SMTP_CA_FILE: certificates.caFile,
    HERALD_SMTP_USER: "mailer",
    HERALD_SMTP_PASSWORD: "relay-password",
    HERALD_EMAIL_BREAKER_FAILURES: "2",
    HERALD_EMAIL_BREAKER_COOLDOWN_SECONDS: "1",
  });
  deps = buildDeps(config);
  store = new DynamoMessageStore(new DynamoDBClient({}), resources.tableName);
});

afterAll(async () => {
  delete process.env.AWS_MAX_ATTEMPTS;
  await deps?.sender.close();
  await relay?.stop();
  await proxy?.stop();
  await moto?.stop();
});

const sesSends = () => proxy.counts.get("SESv2.SendEmail") ?? 0;
const sesAccepted = async () => (await moto.data()).ses?.Message?.length ?? 0;

async function deliverOne(subject: string): Promise<MessageRecord> {
  const record = aMessageRecord({
    content: { channel: "email", from: SENDER, to: ["bob@example.com"], subject, text: "Hello" },
    recipients: ["bob@example.com"],
  });
  await store.create(record);
  await handleEmailMessage(anEnvelope(record), { receiveCount: 1 }, deps);
  const after = await store.get(record.id);
  if (!after) throw new Error("record vanished");
  return after;
}

describe("email failover from SES to an SMTP relay", () => {
  it("sends through SES while it answers, through the relay at once while it throttles, and back once it recovers", async () => {
    // Prepare
    const relayBefore = relay.messages.length;

    // Act: SES healthy, then throttling (two failures open its breaker), then healthy again
    const healthy = await deliverOne("SES healthy");
    sesThrottling = true;
    const firstThrottled = await deliverOne("Throttled 1");
    const secondThrottled = await deliverOne("Throttled 2");
    const sesCallsWhenOpened = sesSends();
    const whileOpen = await deliverOne("Breaker open");
    const sesCallsWhileOpen = sesSends();
    sesThrottling = false;
    const stillOpen = await deliverOne("Still within the cooldown");
    await new Promise((r) => setTimeout(r, 1200));
    const probe = await deliverOne("Probe after the cooldown");
    const recovered = await deliverOne("SES recovered");

    // Assess: who sent what
    expect([healthy, firstThrottled, secondThrottled, whileOpen, stillOpen, probe, recovered].map((r) => [r.status, r.provider])).toEqual([
      ["sent", "ses"],
      ["sent", "smtp"],
      ["sent", "smtp"],
      ["sent", "smtp"],
      ["sent", "smtp"],
      ["sent", "ses"],
      ["sent", "ses"],
    ]);
    // the failed attempt is in the history, before the send that worked
    expect(firstThrottled.history.slice(1)).toEqual([
      { status: "sending", at: expect.any(String) },
      { status: "sending", at: expect.any(String), provider: "ses", code: "email.throttled", reason: expect.stringContaining("throttled") },
      { status: "sent", at: expect.any(String), provider: "smtp" },
    ]);
    expect(firstThrottled.provider_message_id).toBe(`<${firstThrottled.id}@herald.test>`);
    expect(firstThrottled.provider_reply).toMatch(/^250 /);
    // with the breaker open SES is not called at all, and the history shows no attempt there
    expect(sesCallsWhileOpen).toBe(sesCallsWhenOpened);
    expect(whileOpen.history.map((h) => h.provider ?? "-")).toEqual(["-", "-", "smtp"]);
    expect(relay.messages.length - relayBefore).toBe(4);
    expect(await sesAccepted()).toBe(3);
  });
});
