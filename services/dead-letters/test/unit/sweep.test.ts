import { describe, expect, it } from "vitest";
import type { ChannelName, MessageRecord } from "@herald/contracts";
import { MemoryMessageStore } from "@herald/messages/memory";
import { createLogger } from "@herald/platform";
import { aMessageRecord, anEnvelope } from "@herald/testing";
import { DEAD_LETTERED, sweepDeadLetters, type SweepDeps } from "../../src/domain/sweep";
import type { DeadLetterMessage, DeadLetterQueue } from "../../src/ports/dead-letter-queue";

const NOW = new Date("2026-12-02T10:00:00.000Z");

/** A dead-letter queue in memory: what it holds, what is out of sight, what was handed back. */
class FakeDeadLetterQueue implements DeadLetterQueue {
  readonly channel: ChannelName;
  readonly messages: DeadLetterMessage[];
  readonly held = new Set<string>();
  readonly peeks: { max: number; holdSeconds: number }[] = [];

  constructor(channel: ChannelName, bodies: string[]) {
    this.channel = channel;
    this.messages = bodies.map((body, i) => ({ body, handle: `h-${i}` }));
  }

  async waiting() {
    return this.messages.filter((m) => !this.held.has(m.handle)).length;
  }

  async peek(max: number, holdSeconds: number) {
    this.peeks.push({ max, holdSeconds });
    const visible = this.messages.filter((m) => !this.held.has(m.handle)).slice(0, max);
    for (const m of visible) this.held.add(m.handle);
    return visible;
  }

  async release(messages: readonly DeadLetterMessage[]) {
    for (const m of messages) this.held.delete(m.handle);
  }
}

function aSweep(queues: DeadLetterQueue[]) {
  const store = new MemoryMessageStore();
  const deps: SweepDeps = { store, queues, clock: { now: () => NOW }, logger: createLogger("test", "SILENT"), maxPerQueue: 100, holdSeconds: 60 };
  return { store, deps };
}

const body = (record: MessageRecord) => JSON.stringify(anEnvelope(record));

describe("sweepDeadLetters", () => {
  it("marks a dead letter whose record is still queued dead_lettered, leaves a sent one, and keeps every message in the queue", async () => {
    // Prepare
    const queued = aMessageRecord();
    const sent = aMessageRecord({ status: "sent", attempts: 1, provider_message_id: "p-1" });
    const dlq = new FakeDeadLetterQueue("email", [body(queued), body(sent)]);
    const { store, deps } = aSweep([dlq]);
    await store.create(queued);
    await store.create(sent);

    // Act
    const result = await sweepDeadLetters(deps);

    // Assess
    expect(result).toEqual({ email: { read: 2, marked: 1, poison: 0 } });
    expect(await store.get(queued.id)).toMatchObject({ status: "dead_lettered", attempts: 0, failure: DEAD_LETTERED });
    expect(await store.get(sent.id)).toEqual(sent);
    expect(dlq.messages).toHaveLength(2);
    expect(dlq.held.size).toBe(0);
    expect(dlq.peeks).toEqual([{ max: 100, holdSeconds: 60 }]);
  });

  it("changes nothing on a second sweep of the same messages", async () => {
    // Prepare
    const queued = aMessageRecord();
    const dlq = new FakeDeadLetterQueue("email", [body(queued)]);
    const { store, deps } = aSweep([dlq]);
    await store.create(queued);
    await sweepDeadLetters(deps);
    const once = await store.get(queued.id);

    // Act
    const again = await sweepDeadLetters(deps);

    // Assess
    expect(again).toEqual({ email: { read: 1, marked: 0, poison: 0 } });
    expect(await store.get(queued.id)).toEqual(once);
  });

  it("skips a poison body, an envelope of another channel and one of another tenant, and hands them back", async () => {
    // Prepare
    const smsOnEmail = aMessageRecord({ channel: "sms" });
    const otherTenant = aMessageRecord();
    const dlq = new FakeDeadLetterQueue("email", ["{not json", JSON.stringify({ ...anEnvelope(smsOnEmail), channel: "sms" }), JSON.stringify({ ...anEnvelope(otherTenant), tenant: "globex" })]);
    const { store, deps } = aSweep([dlq]);
    await store.create(smsOnEmail);
    await store.create(otherTenant);

    // Act
    const result = await sweepDeadLetters(deps);

    // Assess
    expect(result).toEqual({ email: { read: 3, marked: 0, poison: 2 } });
    expect((await store.get(otherTenant.id))?.status).toBe("queued");
    expect((await store.get(smsOnEmail.id))?.status).toBe("queued");
    expect(dlq.held.size).toBe(0);
  });

  it("does not read a dead-letter queue with nothing waiting", async () => {
    // Prepare
    const dlq = new FakeDeadLetterQueue("sms", []);
    const { deps } = aSweep([dlq]);

    // Act
    const result = await sweepDeadLetters(deps);

    // Assess
    expect(result).toEqual({});
    expect(dlq.peeks).toEqual([]);
  });

  it("stops when told it has no time left, and still hands back what it read", async () => {
    // Prepare
    const records = [aMessageRecord(), aMessageRecord()];
    const dlq = new FakeDeadLetterQueue("email", records.map(body));
    const { store, deps } = aSweep([dlq]);
    for (const r of records) await store.create(r);
    let checks = 0;

    // Act: time for the queue and its first message only
    await sweepDeadLetters(deps, () => ++checks <= 2);

    // Assess
    expect(await Promise.all(records.map(async (r) => (await store.get(r.id))?.status))).toEqual(["dead_lettered", "queued"]);
    expect(dlq.held.size).toBe(0);
  });
});
