import { describe, expect, it } from "vitest";
import type { MessageContent, QueueEnvelope } from "@herald/contracts";
import { EnvelopeCipher, openContent } from "@herald/crypto";
import { MemoryDataKeyProvider } from "@herald/crypto/memory";
import { MemoryMessageStore } from "@herald/messages/memory";
import { createLogger } from "@herald/platform";
import { aMessageRecord, anEnvelope } from "@herald/testing";
import { handleSecureStore } from "../../src/domain/handle-message";

const content: MessageContent = { channel: "email", from: "noreply@herald.local", to: ["alice@example.com"], subject: "Code", text: "123456" };

function aHarness() {
  const store = new MemoryMessageStore();
  const keys = new MemoryDataKeyProvider();
  const cipher = new EnvelopeCipher(keys);
  const deps = { store, cipher, clock: { now: () => new Date("2026-11-23T10:00:00Z") }, logger: createLogger("test", "SILENT") };
  return { store, keys, cipher, deps };
}

async function aSecureMessage(store: MemoryMessageStore) {
  const { content: _plain, ...record } = aMessageRecord({ store_secure: true });
  await store.create(record);
  const envelope: QueueEnvelope = { ...anEnvelope(record), content };
  return { record, envelope };
}

describe("handleSecureStore", () => {
  it("seals the envelope's content into the record, which then opens to the same content", async () => {
    // Prepare
    const { store, cipher, deps } = aHarness();
    const { record, envelope } = await aSecureMessage(store);

    // Act
    await handleSecureStore(envelope, deps);

    // Assess
    const stored = await store.get(record.id);
    expect(stored?.sealed?.alg).toBe("AES-256-GCM");
    expect(stored?.content).toBeUndefined();
    expect(JSON.stringify(stored)).not.toContain("123456");
    expect(await openContent(cipher, record, stored?.sealed ?? expect.fail("not sealed"))).toEqual(content);
  });

  it("changes nothing when the envelope is delivered again", async () => {
    const { store, deps } = aHarness();
    const { record, envelope } = await aSecureMessage(store);
    await handleSecureStore(envelope, deps);
    const first = (await store.get(record.id))?.sealed;
    await handleSecureStore(envelope, deps);
    expect((await store.get(record.id))?.sealed).toEqual(first);
  });

  it("does not seal content of a recipient erased meanwhile", async () => {
    const { store, deps } = aHarness();
    const { record, envelope } = await aSecureMessage(store);
    await store.eraseRecipient({ tenant: record.tenant, recipient: "alice@example.com", recipientHmac: "ab12", principal: "admin", at: new Date() });
    await handleSecureStore(envelope, deps);
    expect((await store.get(record.id))?.sealed).toBeUndefined();
  });

  it("drops an envelope without content, for another tenant, or for a message that is not store_secure", async () => {
    const { store, deps, keys } = aHarness();
    const { record, envelope } = await aSecureMessage(store);
    const plain = aMessageRecord();
    await store.create(plain);
    await handleSecureStore({ ...envelope, content: undefined }, deps);
    await handleSecureStore({ ...envelope, tenant: "globex" }, deps);
    await handleSecureStore({ ...anEnvelope(plain), content }, deps);
    expect((await store.get(record.id))?.sealed).toBeUndefined();
    expect((await store.get(plain.id))?.sealed).toBeUndefined();
    expect(keys.generated).toBe(0);
  });

  it("uses one data key for 100 messages of a tenant", async () => {
    const { store, deps, keys } = aHarness();
    const messages = await Promise.all(Array.from({ length: 100 }, () => aSecureMessage(store)));
    await Promise.all(messages.map((m) => handleSecureStore(m.envelope, deps)));
    expect(keys.generated).toBe(1);
    expect([...store.records.values()].every((r) => r.sealed !== undefined)).toBe(true);
  });
});
