import { describe, expect, it } from "vitest";
import type { MessageRecord, QueueEnvelope, SmsContent } from "@herald/contracts";
import { FakeSender } from "@herald/delivery/testing";
import { MemoryMessageStore } from "@herald/messages/memory";
import { createLogger, PermanentError, TransientError, type Clock } from "@herald/platform";
import { aMessageRecord, anEnvelope } from "@herald/testing";
import { handleSmsMessage, type HandleDeps } from "../../src/domain/handle-message";

const NOW = new Date("2026-11-23T10:00:00.000Z");
const fixedClock: Clock = { now: () => NOW };
const MAX_RECEIVES = 3;
const NUMBER = "+447700900123";

function aHarness() {
  const store = new MemoryMessageStore();
  const sender = new FakeSender<SmsContent, "twilio">("twilio", "SM");
  const deps: HandleDeps = {
    store,
    sender,
    clock: fixedClock,
    logger: createLogger("test", "SILENT"),
    claimLeaseSeconds: 60,
    maxReceives: MAX_RECEIVES,
  };
  return { store, sender, deps };
}

function anSms(overrides: Partial<SmsContent> = {}): SmsContent {
  return { channel: "sms", to: NUMBER, text: "Your code is 123456", ...overrides };
}

function anSmsRecord(overrides: Partial<MessageRecord> = {}): MessageRecord {
  return aMessageRecord({ channel: "sms", recipients: [NUMBER], content: anSms(), ...overrides });
}

/** anEnvelope is the email consumer's: the sms queue carries channel "sms". */
function anSmsEnvelope(record: MessageRecord, content?: SmsContent): QueueEnvelope {
  return { ...anEnvelope(record), channel: "sms", ...(content && { content }) };
}

async function aQueued(store: MemoryMessageStore, record: MessageRecord = anSmsRecord()) {
  await store.create(record);
  return { record, envelope: anSmsEnvelope(record) };
}

describe("handleSmsMessage", () => {
  it("sends the record's SMS and records sent with the provider id when the provider accepts it", async () => {
    // Prepare
    const { store, sender, deps } = aHarness();
    const { record, envelope } = await aQueued(store);

    // Act
    await handleSmsMessage(envelope, { receiveCount: 1 }, deps);

    // Assess
    expect(sender.sent).toEqual([anSms()]);
    const after = await store.get(record.id);
    expect(after).toMatchObject({ status: "sent", provider: "twilio", provider_message_id: "SM1", attempts: 1, updated_at: NOW.toISOString() });
    expect(after?.history.map((h) => h.status)).toEqual(["queued", "sending", "sent"]);
  });

  it("does not send again when the same envelope is delivered after it was sent", async () => {
    // Prepare
    const { store, sender, deps } = aHarness();
    const { record, envelope } = await aQueued(store);
    await handleSmsMessage(envelope, { receiveCount: 1 }, deps);

    // Act
    await handleSmsMessage(envelope, { receiveCount: 2 }, deps);

    // Assess
    expect(sender.sent).toHaveLength(1);
    expect(await store.get(record.id)).toMatchObject({ status: "sent", provider_message_id: "SM1", attempts: 1 });
  });

  it("records failed with the code and reason and resolves when the provider refuses for good", async () => {
    // Prepare
    const { store, sender, deps } = aHarness();
    const { record, envelope } = await aQueued(store);
    sender.failWith(new PermanentError("sms.invalid_number", "Twilio refused the message: invalid 'To' number (21211)"));

    // Act
    const outcome = handleSmsMessage(envelope, { receiveCount: 1 }, deps);

    // Assess
    await expect(outcome).resolves.toBeUndefined();
    const after = await store.get(record.id);
    expect(after).toMatchObject({
      status: "failed",
      failure: { code: "sms.invalid_number", reason: "Twilio refused the message: invalid 'To' number (21211)" },
    });
    expect(after?.history.map((h) => h.status)).toEqual(["queued", "sending", "failed"]);
  });

  it("records retrying and throws a retryable error when the provider fails transiently", async () => {
    // Prepare
    const { store, sender, deps } = aHarness();
    const { record, envelope } = await aQueued(store);
    sender.failWith(new TransientError("sms.throttled", "Twilio throttled the send (20429)"));

    // Act
    const outcome = handleSmsMessage(envelope, { receiveCount: 1 }, deps);

    // Assess
    await expect(outcome).rejects.toMatchObject({ code: "sms.throttled", retryable: true });
    expect(await store.get(record.id)).toMatchObject({ status: "retrying", attempts: 1, failure: { code: "sms.throttled" } });
  });

  it("records dead_lettered and still throws when a transient failure happens on the last receive", async () => {
    // Prepare
    const { store, sender, deps } = aHarness();
    const { record, envelope } = await aQueued(store);
    sender.failWith(new TransientError("sms.provider_auth", "Twilio refused the credentials (20003)"));

    // Act
    const outcome = handleSmsMessage(envelope, { receiveCount: MAX_RECEIVES }, deps);

    // Assess
    await expect(outcome).rejects.toMatchObject({ code: "sms.provider_auth", retryable: true });
    expect(await store.get(record.id)).toMatchObject({ status: "dead_lettered", failure: { code: "sms.provider_auth" } });
  });

  it("treats an error that is not an AppError as transient, without its text in the reason", async () => {
    // Prepare
    const { store, sender, deps } = aHarness();
    const { record, envelope } = await aQueued(store);
    sender.failWith(new Error(`socket hang up sending to ${NUMBER}`));

    // Act
    const outcome = handleSmsMessage(envelope, { receiveCount: 1 }, deps);

    // Assess
    await expect(outcome).rejects.toMatchObject({ code: "sms.unexpected", retryable: true });
    const after = await store.get(record.id);
    expect(after).toMatchObject({ status: "retrying", failure: { code: "sms.unexpected" } });
    expect(after?.failure?.reason).not.toContain(NUMBER);
  });

  it("sends a store_secure SMS from the envelope's content when the record holds none", async () => {
    // Prepare
    const { store, sender, deps } = aHarness();
    const { content: _none, ...secure } = anSmsRecord({ store_secure: true });
    await store.create(secure);
    const content = anSms({ text: "Your secret code is 987654" });

    // Act
    await handleSmsMessage(anSmsEnvelope(secure, content), { receiveCount: 1 }, deps);

    // Assess
    expect(sender.sent).toEqual([content]);
    const after = await store.get(secure.id);
    expect(after).toMatchObject({ status: "sent", provider_message_id: "SM1" });
    expect(after?.content).toBeUndefined();
  });

  it("records failed with message.content_missing and sends nothing when neither record nor envelope has content", async () => {
    // Prepare
    const { store, sender, deps } = aHarness();
    const { content: _none, ...secure } = anSmsRecord({ store_secure: true });
    await store.create(secure);

    // Act
    await handleSmsMessage(anSmsEnvelope(secure), { receiveCount: 1 }, deps);

    // Assess
    expect(sender.sent).toHaveLength(0);
    expect(await store.get(secure.id)).toMatchObject({ status: "failed", failure: { code: "message.content_missing" } });
  });

  it("records failed with sms.wrong_channel and sends nothing when an email message reaches the sms consumer", async () => {
    // Prepare
    const { store, sender, deps } = aHarness();
    const email = aMessageRecord();
    await store.create(email);

    // Act
    const outcome = handleSmsMessage(anEnvelope(email), { receiveCount: 1 }, deps);

    // Assess
    await expect(outcome).resolves.toBeUndefined();
    expect(sender.sent).toHaveLength(0);
    expect(await store.get(email.id)).toMatchObject({ status: "failed", failure: { code: "sms.wrong_channel" } });
  });

  it("records failed and sends nothing when an sms envelope points at an email record", async () => {
    // Prepare
    const { store, sender, deps } = aHarness();
    const email = aMessageRecord();
    await store.create(email);

    // Act
    await handleSmsMessage(anSmsEnvelope(email), { receiveCount: 1 }, deps);

    // Assess
    expect(sender.sent).toHaveLength(0);
    expect(await store.get(email.id)).toMatchObject({ status: "failed", failure: { code: "message.content_missing" } });
  });
});
