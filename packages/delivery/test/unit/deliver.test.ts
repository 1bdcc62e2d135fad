import { describe, expect, it } from "vitest";
import type { MessageContent, QueueEnvelope } from "@herald/contracts";
import { MemoryMessageStore } from "@herald/messages/memory";
import { createLogger, PermanentError, TransientError } from "@herald/platform";
import { aMessageRecord, anEnvelope } from "@herald/testing";
import { deliver, type DeliverDeps, type Send } from "../../src";

const NOW = new Date("2026-11-23T10:00:00.000Z");

function aHarness(now: () => Date = () => NOW) {
  const store = new MemoryMessageStore();
  const deps: DeliverDeps = { store, clock: { now }, logger: createLogger("test", "SILENT"), claimLeaseSeconds: 60, maxReceives: 3 };
  const sent: MessageContent[] = [];
  let outcome: () => Promise<{ providerMessageId: string }> = async () => ({ providerMessageId: `p-${sent.length}` });
  const send: Send = async (content) => {
    sent.push(content);
    return outcome();
  };
  return { store, deps, sent, send, failWith: (error: unknown) => (outcome = () => Promise.reject(error)) };
}

async function aQueued(store: MemoryMessageStore, overrides: Parameters<typeof aMessageRecord>[0] = {}) {
  const record = aMessageRecord(overrides);
  await store.create(record);
  return { record, envelope: anEnvelope(record) };
}

describe("deliver", () => {
  it("sends, records sent with the provider id, and keeps the history", async () => {
    // Prepare
    const { store, deps, send, sent } = aHarness();
    const { record, envelope } = await aQueued(store);

    // Act
    await deliver(envelope, { receiveCount: 1 }, deps, send);

    // Assess
    const after = await store.get(record.id);
    expect(sent).toEqual([record.content]);
    expect(after).toMatchObject({ status: "sent", provider_message_id: "p-1", attempts: 1 });
    expect(after?.history.map((h) => h.status)).toEqual(["queued", "sending", "sent"]);
  });

  it("does not send again when the same envelope is delivered after it was sent", async () => {
    const { store, deps, send, sent } = aHarness();
    const { envelope } = await aQueued(store);
    await deliver(envelope, { receiveCount: 1 }, deps, send);
    await deliver(envelope, { receiveCount: 2 }, deps, send);
    expect(sent).toHaveLength(1);
  });

  it("records a permanent failure with its code and does not throw", async () => {
    const { store, deps, send, failWith } = aHarness();
    const { record, envelope } = await aQueued(store);
    failWith(new PermanentError("email.sender_not_verified", "the sender is not verified"));
    await deliver(envelope, { receiveCount: 1 }, deps, send);
    expect(await store.get(record.id)).toMatchObject({
      status: "failed",
      failure: { code: "email.sender_not_verified", reason: "the sender is not verified" },
    });
  });

  it("records retrying and throws for a transient failure, then sends on the next receive", async () => {
    // Prepare
    const { store, deps, send, failWith, sent } = aHarness();
    const { record, envelope } = await aQueued(store);
    failWith(new TransientError("email.throttled", "throttled"));

    // Act
    const first = deliver(envelope, { receiveCount: 1 }, deps, send);

    // Assess
    await expect(first).rejects.toMatchObject({ code: "email.throttled", retryable: true });
    expect((await store.get(record.id))?.status).toBe("retrying");
    const second = aHarness();
    await deliver(envelope, { receiveCount: 2 }, { ...deps }, second.send);
    expect(second.sent).toHaveLength(1);
    expect(sent).toHaveLength(1);
    expect((await store.get(record.id))?.status).toBe("sent");
    expect((await store.get(record.id))?.attempts).toBe(2);
  });

  it("marks dead_lettered on the last receive and still throws, so SQS moves it to the DLQ", async () => {
    const { store, deps, send, failWith } = aHarness();
    const { record, envelope } = await aQueued(store);
    failWith(new TransientError("email.provider_unavailable", "5xx"));
    await expect(deliver(envelope, { receiveCount: 3 }, deps, send)).rejects.toThrow();
    expect(await store.get(record.id)).toMatchObject({ status: "dead_lettered", failure: { code: "email.provider_unavailable" } });
  });

  it("keeps a store_secure envelope's plaintext out of the DLQ: on the last receive it is marked dead_lettered and acknowledged", async () => {
    // Prepare: store_secure, so the content travels in the envelope and the record holds none
    const { store, deps, send, failWith } = aHarness();
    const { content, ...fields } = aMessageRecord({ store_secure: true });
    await store.create(fields);
    const envelope: QueueEnvelope = { ...anEnvelope(fields), content };
    failWith(new TransientError("email.provider_unavailable", "5xx"));

    // Act
    const before = await deliver(envelope, { receiveCount: 2 }, deps, send).catch((error: unknown) => error);
    const last = await deliver(envelope, { receiveCount: 3 }, deps, send).catch((error: unknown) => error);

    // Assess: retried while receives are left; on the last one no throw, so the queue deletes it
    expect(before).toMatchObject({ code: "email.provider_unavailable" });
    expect(last).toBeUndefined();
    expect(await store.get(fields.id)).toMatchObject({ status: "dead_lettered", failure: { code: "email.provider_unavailable" } });
  });

  it("treats an unknown error from the provider as transient", async () => {
    const { store, deps, send, failWith } = aHarness();
    const { record, envelope } = await aQueued(store);
    failWith(new Error("socket hang up"));
    await expect(deliver(envelope, { receiveCount: 1 }, deps, send)).rejects.toMatchObject({ code: "email.unexpected" });
    expect((await store.get(record.id))?.status).toBe("retrying");
  });

  it("drops an envelope whose record is missing or belongs to another tenant, without sending", async () => {
    const { store, deps, send, sent } = aHarness();
    const { envelope } = await aQueued(store);
    await deliver({ ...envelope, id: "00000000-0000-4000-8000-000000000000" }, { receiveCount: 1 }, deps, send);
    await deliver({ ...envelope, tenant: "globex" }, { receiveCount: 1 }, deps, send);
    expect(sent).toHaveLength(0);
  });

  it("throws a retryable error and does not send while another worker holds the claim", async () => {
    const { store, deps, send, sent } = aHarness();
    const { record, envelope } = await aQueued(store);
    await store.claim(record.id, NOW, 60);
    await expect(deliver(envelope, { receiveCount: 2 }, deps, send)).rejects.toMatchObject({ code: "message.claim_held", retryable: true });
    expect(sent).toHaveLength(0);
  });

  it("retakes a claim whose lease ran out (its worker died) and sends", async () => {
    const { store, send, sent } = aHarness();
    const { record, envelope } = await aQueued(store);
    await store.claim(record.id, new Date(NOW.getTime() - 120_000), 60);
    const later = aHarness(() => NOW);
    await deliver(envelope, { receiveCount: 2 }, { ...later.deps, store }, send);
    expect(sent).toHaveLength(1);
    expect((await store.get(record.id))?.attempts).toBe(2);
  });

  it("sends a store_secure message from the envelope's content, its record holding none", async () => {
    const { store, deps, send, sent } = aHarness();
    const { content: _plain, ...record } = aMessageRecord({ store_secure: true });
    await store.create(record);
    const content: MessageContent = { channel: "email", from: "a@herald.local", to: ["b@example.com"], subject: "s", text: "t" };
    const envelope: QueueEnvelope = { ...anEnvelope(record), content };
    await deliver(envelope, { receiveCount: 1 }, deps, send);
    expect(sent).toEqual([content]);
  });

  it("fails with message.erased, without sending, when the recipient was erased before sending", async () => {
    const { store, deps, send, sent } = aHarness();
    const { record, envelope } = await aQueued(store);
    await store.eraseRecipient({ tenant: record.tenant, recipient: "alice@example.com", recipientHmac: "ab12", principal: "dpo", at: NOW });
    await deliver(envelope, { receiveCount: 1 }, deps, send);
    expect(sent).toHaveLength(0);
    expect(await store.get(record.id)).toMatchObject({ status: "failed", failure: { code: "message.erased" } });
  });

  it("fails with message.content_missing when there is no content of the envelope's channel", async () => {
    const { store, deps, send, sent } = aHarness();
    const { content: _plain, ...record } = aMessageRecord();
    await store.create(record);
    await deliver(anEnvelope(record), { receiveCount: 1 }, deps, send);
    expect(sent).toHaveLength(0);
    expect((await store.get(record.id))?.failure?.code).toBe("message.content_missing");
  });

  it("records the provider a sender named, the reply, and each provider it failed over from", async () => {
    // Prepare
    const { store, deps } = aHarness();
    const { record, envelope } = await aQueued(store);
    const seen: string[] = [];
    const send: Send = async (_content, context) => {
      seen.push(context.messageId);
      context.attempt("ses");
      context.failedOver(new TransientError("email.throttled", "SES throttled the send (ThrottlingException)"));
      context.attempt("smtp");
      return { providerMessageId: `<${context.messageId}@herald.local>`, providerReply: "250 Ok: queued as 12" };
    };

    // Act
    await deliver(envelope, { receiveCount: 1 }, deps, send);

    // Assess
    const after = await store.get(record.id);
    expect(seen).toEqual([record.id]);
    expect(after).toMatchObject({ status: "sent", provider: "smtp", provider_reply: "250 Ok: queued as 12" });
    expect(after?.history.slice(1)).toEqual([
      { status: "sending", at: NOW.toISOString() },
      { status: "sending", at: NOW.toISOString(), provider: "ses", code: "email.throttled", reason: "SES throttled the send (ThrottlingException)" },
      { status: "sent", at: NOW.toISOString(), provider: "smtp" },
    ]);
  });

  it("records the failed-over attempt and the last provider's failure when every provider fails", async () => {
    // Prepare
    const { store, deps } = aHarness();
    const { record, envelope } = await aQueued(store);
    const send: Send = async (_content, context) => {
      context.attempt("ses");
      context.failedOver(new TransientError("email.provider_unavailable", "SES failed (InternalFailure)"));
      context.attempt("smtp");
      throw new TransientError("email.smtp_unreachable", "Could not reach the SMTP relay (ECONNREFUSED)");
    };

    // Act
    const error = await deliver(envelope, { receiveCount: 1 }, deps, send).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ code: "email.smtp_unreachable", retryable: true });
    const after = await store.get(record.id);
    expect(after).toMatchObject({ status: "retrying", provider: "smtp", failure: { code: "email.smtp_unreachable" } });
    expect(after?.history.slice(2).map((h) => [h.status, h.provider, h.code])).toEqual([
      ["sending", "ses", "email.provider_unavailable"],
      ["retrying", "smtp", "email.smtp_unreachable"],
    ]);
  });
});

describe("deliver's time budget", () => {
  /** A send-rate limiter with no slot free: it answers false once its wait would pass maxWaitMs. */
  function aFullLimiter() {
    const asked: (number | undefined)[] = [];
    return {
      asked,
      limiter: {
        acquire: async (maxWaitMs?: number) => {
          asked.push(maxWaitMs);
          return false;
        },
      },
    };
  }

  it("waits for a send slot at most the spare time, and when none came neither claims nor sends", async () => {
    // Prepare
    const { store, deps, send, sent } = aHarness();
    const { record, envelope } = await aQueued(store);
    const { limiter, asked } = aFullLimiter();

    // Act
    const attempt = deliver(envelope, { receiveCount: 1, spareMs: () => 4_000 }, { ...deps, limiter }, send);

    // Assess: handed back untouched: no attempt, nothing in the history
    await expect(attempt).rejects.toMatchObject({ name: "NotStartedError", code: "queue.not_started", retryable: true });
    expect(asked).toEqual([4_000]);
    expect(sent).toHaveLength(0);
    expect(await store.get(record.id)).toMatchObject({ status: "queued", attempts: 0, history: record.history });
  });

  it("neither claims nor sends when no spare time is left", async () => {
    // Prepare
    const { store, deps, send, sent } = aHarness();
    const { record, envelope } = await aQueued(store);

    // Act
    const attempt = deliver(envelope, { receiveCount: 1, spareMs: () => -1 }, deps, send);

    // Assess
    await expect(attempt).rejects.toMatchObject({ code: "queue.not_started" });
    expect(sent).toHaveLength(0);
    expect(await store.get(record.id)).toMatchObject({ status: "queued", attempts: 0 });
  });
});
