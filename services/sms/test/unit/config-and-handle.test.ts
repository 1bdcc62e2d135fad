import { describe, expect, it } from "vitest";
import type { QueueEnvelope, SmsContent } from "@herald/contracts";
import { MemoryMessageStore } from "@herald/messages";
import { ConfigError, createLogger, PermanentError } from "@herald/platform";
import { aMessageRecord, anEnvelope } from "@herald/testing";
import { loadConfig } from "../../src/config";
import { handleSmsMessage } from "../../src/domain/handle-message";
import type { SmsSender } from "../../src/ports/sms-sender";

class FakeSmsSender implements SmsSender {
  readonly sent: SmsContent[] = [];
  failWith: Error | undefined;
  async send(sms: SmsContent) {
    if (this.failWith) throw this.failWith;
    this.sent.push(sms);
    return { providerMessageId: `SM${this.sent.length}` };
  }
}

const sms: SmsContent = { channel: "sms", to: "+447911123456", text: "hi" };

function aHarness() {
  const store = new MemoryMessageStore();
  const sender = new FakeSmsSender();
  const deps = { store, sender, clock: { now: () => new Date() }, logger: createLogger("test", "SILENT"), claimLeaseSeconds: 60, maxReceives: 3 };
  return { store, sender, deps };
}

describe("sms config", () => {
  it("defaults to SNS", () => {
    expect(loadConfig({ HERALD_TABLE_NAME: "t" }).provider).toEqual({ kind: "sns", senderId: undefined });
  });

  it("names the missing Twilio variable in one line", () => {
    const attempt = () =>
      loadConfig({ HERALD_TABLE_NAME: "t", HERALD_SMS_PROVIDER: "twilio", HERALD_TWILIO_ACCOUNT_SID: `AC${"1".repeat(32)}`, HERALD_TWILIO_FROM: "+15005550006" });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/^invalid configuration: HERALD_TWILIO_AUTH_TOKEN: /);
  });

  it("rejects an unknown provider", () => {
    expect(() => loadConfig({ HERALD_TABLE_NAME: "t", HERALD_SMS_PROVIDER: "carrier-pigeon" })).toThrow(/HERALD_SMS_PROVIDER: must be sns or twilio/);
  });
});

describe("handleSmsMessage", () => {
  it("sends the record's SMS and records the provider id", async () => {
    const { store, sender, deps } = aHarness();
    const record = aMessageRecord({ channel: "sms", recipients: [sms.to], content: sms });
    await store.create(record);
    await handleSmsMessage({ ...anEnvelope(record), channel: "sms" }, { receiveCount: 1 }, deps);
    expect(sender.sent).toEqual([sms]);
    expect(await store.get(record.id)).toMatchObject({ status: "sent", provider_message_id: "SM1" });
  });

  it("sends a store_secure SMS from the envelope", async () => {
    const { store, sender, deps } = aHarness();
    const { content: _none, ...record } = aMessageRecord({ channel: "sms", store_secure: true, recipients: [sms.to] });
    await store.create(record);
    const envelope: QueueEnvelope = { ...anEnvelope(record), channel: "sms", content: sms };
    await handleSmsMessage(envelope, { receiveCount: 1 }, deps);
    expect(sender.sent).toEqual([sms]);
  });

  it("fails for good on a permanent provider refusal", async () => {
    const { store, sender, deps } = aHarness();
    const record = aMessageRecord({ channel: "sms", recipients: [sms.to], content: sms });
    await store.create(record);
    sender.failWith = new PermanentError("sms.invalid_number", "Twilio refused the message (21211)");
    await handleSmsMessage({ ...anEnvelope(record), channel: "sms" }, { receiveCount: 1 }, deps);
    expect(await store.get(record.id)).toMatchObject({ status: "failed", failure: { code: "sms.invalid_number" } });
  });

  it("does not send email content through the SMS provider", async () => {
    const { store, sender, deps } = aHarness();
    const record = aMessageRecord();
    await store.create(record);
    await handleSmsMessage({ ...anEnvelope(record), channel: "sms" }, { receiveCount: 1 }, deps);
    expect(sender.sent).toHaveLength(0);
    expect((await store.get(record.id))?.status).toBe("failed");
  });
});

describe("classifySnsError", () => {
  it("calls an error without an HTTP status a network error, even with the SDK's retry metadata", async () => {
    const { classifySnsError } = await import("../../src/adapters/sns-sms-sender");
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { $metadata: { attempts: 3, totalRetryDelay: 300 } });
    expect(classifySnsError(refused)).toMatchObject({ code: "sms.network", retryable: true });
    const optedOut = Object.assign(new Error("opted out"), { name: "OptedOutException", $fault: "client", $metadata: { httpStatusCode: 400 } });
    expect(classifySnsError(optedOut)).toMatchObject({ code: "sms.unsubscribed", retryable: false });
  });
});
