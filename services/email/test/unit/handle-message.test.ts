import { describe, expect, it } from "vitest";
import type { EmailContent, MessageRecord, QueueEnvelope } from "@herald/contracts";
import { FakeSender } from "@herald/delivery/testing";
import { MemoryMessageStore } from "@herald/messages/memory";
import { createLogger, PermanentError, systemClock, TransientError, type Clock } from "@herald/platform";
import { aMessageRecord, anEnvelope } from "@herald/testing";
import { handleEmailMessage, type HandleDeps } from "../../src/domain/handle-message";

const NOW = new Date("2026-11-23T10:00:00.000Z");
const fixedClock: Clock = { now: () => NOW };
const LEASE_SECONDS = 60;
const MAX_RECEIVES = 3;

function aHarness(clock: Clock = fixedClock) {
  const store = new MemoryMessageStore();
  const sender = new FakeSender<EmailContent, "ses">("ses", "ses-");
  const deps: HandleDeps = {
    store,
    sender,
    clock,
    logger: createLogger("test", "SILENT"),
    claimLeaseSeconds: LEASE_SECONDS,
    maxReceives: MAX_RECEIVES,
  };
  return { store, sender, deps };
}

async function aQueued(store: MemoryMessageStore, record: MessageRecord = aMessageRecord()) {
  await store.create(record);
  return { record, envelope: anEnvelope(record) };
}

describe("handleEmailMessage", () => {
  it("sends the record's email and records sent with the provider id when the sender accepts it", async () => {
    // Prepare
    const { store, sender, deps } = aHarness();
    const { record, envelope } = await aQueued(store);

    // Act
    await handleEmailMessage(envelope, { receiveCount: 1 }, deps);

    // Assess
    const after = await store.get(record.id);
    expect(sender.sent).toEqual([record.content]);
    expect(after).toMatchObject({ status: "sent", provider_message_id: "ses-1", attempts: 1, updated_at: NOW.toISOString() });
    expect(after?.history.map((h) => h.status)).toEqual(["queued", "sending", "sent"]);
    expect(after?.failure).toBeUndefined();
  });

  it("does not call the sender again when the same envelope is delivered after it was sent", async () => {
    // Prepare
    const { store, sender, deps } = aHarness();
    const { record, envelope } = await aQueued(store);
    await handleEmailMessage(envelope, { receiveCount: 1 }, deps);

    // Act
    await handleEmailMessage(envelope, { receiveCount: 2 }, deps);

    // Assess
    expect(sender.sent).toHaveLength(1);
    expect(await store.get(record.id)).toMatchObject({ status: "sent", provider_message_id: "ses-1", attempts: 1 });
  });

  it("records failed with the code and resolves when the sender refuses for good", async () => {
    // Prepare
    const { store, sender, deps } = aHarness();
    const { record, envelope } = await aQueued(store);
    sender.failWith(new PermanentError("email.sender_not_verified", "the sender is not verified"));

    // Act
    const outcome = handleEmailMessage(envelope, { receiveCount: 1 }, deps);

    // Assess
    await expect(outcome).resolves.toBeUndefined();
    const after = await store.get(record.id);
    expect(after).toMatchObject({
      status: "failed",
      failure: { code: "email.sender_not_verified", reason: "the sender is not verified" },
    });
    expect(after?.history.map((h) => h.status)).toEqual(["queued", "sending", "failed"]);
  });

  it("records retrying and throws a retryable error when the sender fails transiently", async () => {
    // Prepare
    const { store, sender, deps } = aHarness();
    const { record, envelope } = await aQueued(store);
    sender.failWith(new TransientError("email.throttled", "SES throttled the send"));

    // Act
    const outcome = handleEmailMessage(envelope, { receiveCount: 1 }, deps);

    // Assess
    await expect(outcome).rejects.toMatchObject({ code: "email.throttled", retryable: true });
    expect(await store.get(record.id)).toMatchObject({ status: "retrying", failure: { code: "email.throttled" }, attempts: 1 });
  });

  it("sends on the next receive after a transient failure", async () => {
    // Prepare
    const { store, sender, deps } = aHarness();
    const { record, envelope } = await aQueued(store);
    sender.failWith(new TransientError("email.throttled", "SES throttled the send"));
    await expect(handleEmailMessage(envelope, { receiveCount: 1 }, deps)).rejects.toBeInstanceOf(TransientError);
    sender.failWith(undefined);

    // Act
    await handleEmailMessage(envelope, { receiveCount: 2 }, deps);

    // Assess
    expect(sender.sent).toHaveLength(2);
    expect(await store.get(record.id)).toMatchObject({ status: "sent", provider_message_id: "ses-2", attempts: 2 });
  });

  it("records dead_lettered and still throws when a transient failure happens on the last receive", async () => {
    // Prepare
    const { store, sender, deps } = aHarness();
    const { record, envelope } = await aQueued(store);
    sender.failWith(new TransientError("email.provider_unavailable", "SES failed (InternalFailure)"));

    // Act
    const outcome = handleEmailMessage(envelope, { receiveCount: MAX_RECEIVES }, deps);

    // Assess
    await expect(outcome).rejects.toMatchObject({ code: "email.provider_unavailable", retryable: true });
    expect(await store.get(record.id)).toMatchObject({ status: "dead_lettered", failure: { code: "email.provider_unavailable" } });
  });

  it("treats an error that is not an AppError as transient", async () => {
    // Prepare
    const { store, sender, deps } = aHarness();
    const { record, envelope } = await aQueued(store);
    sender.failWith(new Error("socket hang up"));

    // Act
    const outcome = handleEmailMessage(envelope, { receiveCount: 1 }, deps);

    // Assess
    await expect(outcome).rejects.toMatchObject({ code: "email.unexpected", retryable: true });
    const after = await store.get(record.id);
    expect(after).toMatchObject({ status: "retrying", failure: { code: "email.unexpected" } });
    expect(after?.failure?.reason).not.toContain("socket hang up");
  });

  it("resolves without sending when the message record is missing", async () => {
    // Prepare
    const { sender, deps } = aHarness();
    const envelope = anEnvelope(aMessageRecord());

    // Act
    const outcome = handleEmailMessage(envelope, { receiveCount: 1 }, deps);

    // Assess
    await expect(outcome).resolves.toBeUndefined();
    expect(sender.sent).toHaveLength(0);
  });

  it("does not send, nor touch the record, when the envelope's tenant differs from the record's", async () => {
    // Prepare
    const { store, sender, deps } = aHarness();
    const { record, envelope } = await aQueued(store);
    const foreign: QueueEnvelope = { ...envelope, tenant: "globex" };

    // Act
    await handleEmailMessage(foreign, { receiveCount: 1 }, deps);

    // Assess
    expect(sender.sent).toHaveLength(0);
    expect(await store.get(record.id)).toEqual(record);
  });

  it("throws a retryable error and does not send while another worker holds the claim", async () => {
    // Prepare
    const { store, sender, deps } = aHarness();
    const { record, envelope } = await aQueued(store);
    await store.claim(record.id, NOW, LEASE_SECONDS);

    // Act
    const outcome = handleEmailMessage(envelope, { receiveCount: 2 }, deps);

    // Assess
    await expect(outcome).rejects.toMatchObject({ code: "message.claim_held", retryable: true });
    expect(sender.sent).toHaveLength(0);
    expect(await store.get(record.id)).toMatchObject({ status: "sending", attempts: 1 });
  });

  it("retakes the claim and sends when the other worker's lease has run out", async () => {
    // Prepare
    const { store, sender, deps } = aHarness(systemClock);
    const { record, envelope } = await aQueued(store);
    await store.claim(record.id, new Date(Date.now() - 60 * 60 * 1000), LEASE_SECONDS);

    // Act
    await handleEmailMessage(envelope, { receiveCount: 2 }, deps);

    // Assess
    expect(sender.sent).toEqual([record.content]);
    const after = await store.get(record.id);
    expect(after).toMatchObject({ status: "sent", provider_message_id: "ses-1", attempts: 2 });
    expect(after?.history.map((h) => h.status)).toEqual(["queued", "sending", "sending", "sent"]);
  });

  it("records failed with message.content_missing and does not send when the record has no content", async () => {
    // Prepare
    const { store, sender, deps } = aHarness();
    const { content: _content, ...withoutContent } = aMessageRecord();
    const { record, envelope } = await aQueued(store, withoutContent);

    // Act
    await handleEmailMessage(envelope, { receiveCount: 1 }, deps);

    // Assess
    expect(sender.sent).toHaveLength(0);
    expect(await store.get(record.id)).toMatchObject({ status: "failed", failure: { code: "message.content_missing" } });
  });

  it("records failed with email.wrong_channel and does not send when an sms message reaches the email consumer", async () => {
    // Prepare
    const { store, sender, deps } = aHarness();
    const sms = aMessageRecord({
      channel: "sms",
      recipients: ["+447700900123"],
      content: { channel: "sms", to: "+447700900123", text: "Your code is 1234" },
    });
    const { record } = await aQueued(store, sms);
    const envelope: QueueEnvelope = { ...anEnvelope(record), channel: "sms" };

    // Act
    const outcome = handleEmailMessage(envelope, { receiveCount: 1 }, deps);

    // Assess
    await expect(outcome).resolves.toBeUndefined();
    expect(sender.sent).toHaveLength(0);
    expect(await store.get(record.id)).toMatchObject({ status: "failed", failure: { code: "email.wrong_channel" } });
  });
});
