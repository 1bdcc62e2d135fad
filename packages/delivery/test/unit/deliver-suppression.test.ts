import { describe, expect, it } from "vitest";
import type { MessageContent } from "@herald/contracts";
import { MemoryMessageStore, MemorySuppressionList } from "@herald/messages/memory";
import { createLogger, PermanentError } from "@herald/platform";
import { aMessageRecord, anEnvelope } from "@herald/testing";
import { deliver, type DeliverDeps, type Send } from "../../src";

const NOW = new Date("2026-12-01T10:00:00.000Z");

function aHarness() {
  const store = new MemoryMessageStore();
  const suppressions = new MemorySuppressionList();
  const deps: DeliverDeps = { store, suppressions, clock: { now: () => NOW }, logger: createLogger("test", "SILENT"), claimLeaseSeconds: 60, maxReceives: 3 };
  const sent: MessageContent[] = [];
  const send: Send = async (content) => {
    sent.push(content);
    return { providerMessageId: "p-1" };
  };
  return { store, suppressions, deps, sent, send };
}

const suppression = (address: string) => ({ address, reason: "complaint" as const, created_at: NOW.toISOString() });

describe("deliver and suppression", () => {
  it("leaves out a recipient suppressed since ingest, records it suppressed, and sends to the rest", async () => {
    // Prepare
    const { store, suppressions, deps, sent, send } = aHarness();
    const record = aMessageRecord({
      recipients: ["alice@example.com", "bob@example.com"],
      content: { channel: "email", from: "noreply@herald.local", to: ["alice@example.com"], cc: ["Bob@Example.com"], subject: "Hi", text: "Hello" },
    });
    await store.create(record);
    await suppressions.add(record.tenant, suppression("bob@example.com"));
    // Act
    await deliver(anEnvelope(record), { receiveCount: 1 }, deps, send);
    // Assess
    expect(sent).toEqual([{ channel: "email", from: "noreply@herald.local", to: ["alice@example.com"], subject: "Hi", text: "Hello" }]);
    const after = await store.get(record.id);
    expect(after?.status).toBe("sent");
    expect(after?.outcomes?.["bob@example.com"]).toMatchObject({ status: "suppressed" });
  });

  it("fails with reason suppressed and calls no provider when no recipient is left (also those marked at ingest)", async () => {
    const { store, deps, sent, send } = aHarness();
    const record = aMessageRecord({ outcomes: { "alice@example.com": { status: "suppressed", at: NOW.toISOString() } } });
    await store.create(record);
    await deliver(anEnvelope(record), { receiveCount: 1 }, deps, send);
    expect(sent).toEqual([]);
    expect(await store.get(record.id)).toMatchObject({ status: "failed", failure: { code: "message.suppressed", reason: "suppressed" } });
  });

  it("suppresses the number on Twilio's 21610 (unsubscribed)", async () => {
    const { store, suppressions, deps } = aHarness();
    const record = aMessageRecord({ channel: "sms", recipients: ["+447911123456"], content: { channel: "sms", to: "+447911123456", text: "Hi" } });
    await store.create(record);
    await deliver({ ...anEnvelope(record), channel: "sms" }, { receiveCount: 1 }, deps, async () => {
      throw new PermanentError("sms.unsubscribed", "the recipient has unsubscribed (STOP)");
    });
    expect(await suppressions.get(record.tenant, "+447911123456")).toMatchObject({ reason: "unsubscribed", message_id: record.id });
    expect((await store.get(record.id))?.status).toBe("failed");
  });
});
