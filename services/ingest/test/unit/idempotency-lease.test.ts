import { describe, expect, it } from "vitest";
import { type BatchRequest, type Identity, type MessageRecord } from "@herald/contracts";
import { SendMessage } from "@herald/contracts/send";
import { MemoryMessageStore } from "@herald/messages/memory";
import { AppError, createLogger } from "@herald/platform";
import type { QueueEnvelope } from "@herald/contracts";
import type { EnqueueOptions, QueueName } from "@herald/queue";
import { MemoryIdempotencyStore } from "../../src/adapters/memory-idempotency-store";
import { loadConfig } from "../../src/config";
import { acceptBatch, type BatchDeps } from "../../src/domain/accept-batch";
import { acceptOnce } from "../../src/domain/accept-message";
import type { IdempotencyStore } from "../../src/ports/idempotency-store";
import { NOW, RecordingQueue } from "./harness";

const identity: Identity = { tenant: "acme", principal: "billing", roles: ["messages:send"] };
const message = SendMessage.parse({ channel: "email", to: "alice@example.com", subject: "Receipt", text: "Thanks." });
/** Past the default lease (60 s), well inside the key's 24 h. */
const AFTER_LEASE_MS = 61_000;

/** An IdempotencyStore that delegates to the memory one and can be told to fail, as DynamoDB can. */
class FlakyIdempotencyStore implements IdempotencyStore {
  readonly inner = new MemoryIdempotencyStore();
  failComplete = false;
  failRelease = false;
  /** begin throws from this call on (1-based); undefined: never. */
  failBeginFrom: number | undefined;
  begins = 0;
  begin(...args: Parameters<IdempotencyStore["begin"]>): ReturnType<IdempotencyStore["begin"]> {
    this.begins += 1;
    if (this.failBeginFrom !== undefined && this.begins >= this.failBeginFrom) return Promise.reject(new Error("DynamoDB unavailable"));
    return this.inner.begin(...args);
  }
  complete(...args: Parameters<IdempotencyStore["complete"]>): ReturnType<IdempotencyStore["complete"]> {
    if (this.failComplete) return Promise.reject(new Error("DynamoDB unavailable"));
    return this.inner.complete(...args);
  }
  release(...args: Parameters<IdempotencyStore["release"]>): ReturnType<IdempotencyStore["release"]> {
    if (this.failRelease) return Promise.reject(new Error("DynamoDB unavailable"));
    return this.inner.release(...args);
  }
}

/** A queue whose next enqueue never answers: the Lambda timed out (or the process died) there. */
class StallingQueue extends RecordingQueue {
  stallNext = false;
  override enqueue(queue: QueueName, envelope: QueueEnvelope, options?: EnqueueOptions): Promise<string> {
    if (this.stallNext) {
      this.stallNext = false;
      return new Promise(() => undefined);
    }
    return super.enqueue(queue, envelope, options);
  }
}

/** A message store whose next create never answers (the request died before the record was written). */
class StallingStore extends MemoryMessageStore {
  stallNext = false;
  override create(record: MessageRecord): Promise<void> {
    if (this.stallNext) {
      this.stallNext = false;
      return new Promise(() => undefined);
    }
    return super.create(record);
  }
}

function aSetup() {
  let now = NOW.getTime();
  let n = 0;
  const idempotency = new FlakyIdempotencyStore();
  const store = new StallingStore();
  const queue = new StallingQueue();
  const deps: BatchDeps = {
    store,
    queue,
    idempotency,
    clock: { now: () => new Date(now) },
    newId: () => `00000000-0000-4000-8000-${String(++n).padStart(12, "0")}`,
    logger: createLogger("ingest-test", "SILENT"),
    senders: { default: "noreply@herald.local", allowed: ["noreply@herald.local"] },
  };
  const advance = (ms: number) => (now += ms);
  const send = (key: string, body = message) => acceptOnce(body, identity, key, deps);
  const codeOf = (promise: Promise<unknown>) =>
    promise.then(
      () => "accepted",
      (error: unknown) => (error instanceof AppError ? error.code : String(error)),
    );
  return { deps, store, queue, idempotency, advance, send, codeOf };
}

/** Lets the promises a stalled call left running get as far as they can. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

describe("acceptOnce: an Idempotency-Key in progress holds a lease", () => {
  it("answers a retry from the record once the lease ran out when complete() failed, and makes no second message", async () => {
    // Prepare
    const { idempotency, advance, send, codeOf, queue, store } = aSetup();
    idempotency.failComplete = true;

    // Act
    const first = await send("order-1");
    const during = await codeOf(send("order-1"));
    advance(AFTER_LEASE_MS);
    idempotency.failComplete = false;
    const after = await send("order-1");
    const later = await send("order-1");

    // Assess: the message was queued, so the first caller hears 202; the key waited out its
    // lease, then the retry was answered from the record (and stored, so the next is a replay).
    // The record still says queued, so its envelope went out again (a consumer's claim makes that
    // harmless): one message, however many envelopes of it.
    expect(first.replayed).toBe(false);
    expect(during).toBe("idempotency.in_progress");
    expect(after).toEqual({ accepted: first.accepted, replayed: true });
    expect(later).toEqual({ accepted: first.accepted, replayed: true });
    expect(new Set(queue.sent.map((s) => s.envelope.id))).toEqual(new Set([first.accepted.id]));
    expect(store.records.size).toBe(1);
  });

  it("lets a retry take over after the lease when the first request died before recording anything", async () => {
    // Prepare: the first request takes the key and never comes back from the store
    const { store, advance, send, codeOf, queue } = aSetup();
    store.stallNext = true;
    void send("order-2");
    await settle();

    // Act
    const before = await codeOf(send("order-2"));
    advance(AFTER_LEASE_MS);
    const after = await send("order-2");

    // Assess
    expect(before).toBe("idempotency.in_progress");
    expect(after.replayed).toBe(false);
    expect(queue.sent.map((s) => s.envelope.id)).toEqual([after.accepted.id]);
    expect([...store.records.keys()]).toEqual([after.accepted.id]);
  });

  it("queues the message an earlier attempt recorded but never queued, under the same id", async () => {
    // Prepare: the first request wrote the record and died before SQS answered
    const { queue, advance, send, store } = aSetup();
    queue.stallNext = true;
    void send("order-3");
    await settle();
    const [recorded] = [...store.records.values()];

    // Act
    advance(AFTER_LEASE_MS);
    const retry = await send("order-3");

    // Assess: one message, the first attempt's, now queued; no second record
    expect(retry.accepted).toMatchObject({ id: recorded?.id, status: "queued", created_at: recorded?.created_at });
    expect(retry.replayed).toBe(true);
    expect(store.records.size).toBe(1);
    expect(queue.sent.map((s) => s.envelope.id)).toEqual([recorded?.id]);
  });

  it("still refuses another body under the key with 409 key_reused, before and after the lease", async () => {
    // Prepare
    const { store, advance, send, codeOf, queue } = aSetup();
    store.stallNext = true;
    void send("order-4");
    await settle();
    const other = SendMessage.parse({ ...message, text: "Something else." });

    // Act
    const before = await codeOf(send("order-4", other));
    advance(AFTER_LEASE_MS);
    const after = await codeOf(send("order-4", other));

    // Assess
    expect([before, after]).toEqual(["idempotency.key_reused", "idempotency.key_reused"]);
    expect(queue.sent).toHaveLength(0);
  });

  it("lets exactly one of concurrent retries take an expired lease over", async () => {
    // Prepare
    const { store, advance, send, codeOf, queue } = aSetup();
    store.stallNext = true;
    void send("order-5");
    await settle();
    advance(AFTER_LEASE_MS);

    // Act
    const outcomes = await Promise.all(Array.from({ length: 6 }, () => codeOf(send("order-5"))));

    // Assess
    expect(outcomes.filter((o) => o === "accepted")).toHaveLength(1);
    expect(outcomes.filter((o) => o === "idempotency.in_progress")).toHaveLength(5);
    expect(queue.sent).toHaveLength(1);
  });

  it("keeps the key when the message went on although its enqueue reported a failure, and answers the retry from it", async () => {
    // Prepare: SQS took the envelope but the answer was lost, and a consumer claimed it at once,
    // so the record cannot be marked failed: the message is live and the key must say so
    const { queue, store, advance, send, codeOf } = aSetup();
    queue.enqueue = async (_queue, envelope) => {
      await store.claim(envelope.id, NOW, 120);
      throw new Error("socket hang up");
    };

    // Act
    const first = await codeOf(send("order-6"));
    const [live] = [...store.records.values()];
    queue.enqueue = RecordingQueue.prototype.enqueue.bind(queue);
    const during = await codeOf(send("order-6"));
    advance(AFTER_LEASE_MS);
    const after = await send("order-6");

    // Assess: never a second message for the key
    expect(first).toBe("queue.unavailable");
    expect(live?.status).toBe("sending");
    expect(during).toBe("idempotency.in_progress");
    expect(after).toEqual({ accepted: expect.objectContaining({ id: live?.id }), replayed: true });
    expect(store.records.size).toBe(1);
  });

  it("answers the first error when giving the key back fails too, and frees the key with the lease", async () => {
    // Prepare
    const { queue, idempotency, advance, send, codeOf } = aSetup();
    queue.failWith = new Error("queue down");
    idempotency.failRelease = true;

    // Act
    const first = await codeOf(send("order-7"));
    queue.failWith = undefined;
    idempotency.failRelease = false;
    const during = await codeOf(send("order-7"));
    advance(AFTER_LEASE_MS);
    const after = await codeOf(send("order-7"));
    const next = await send("order-7");

    // Assess: the retry that took the key over found the first message failed (never queued, never
    // sent), answered as the first was and gave the key back; the next one is a new message
    expect(first).toBe("queue.unavailable");
    expect(during).toBe("idempotency.in_progress");
    expect(after).toBe("queue.unavailable");
    expect(next.replayed).toBe(false);
    expect(queue.sent.map((s) => s.envelope.id)).toEqual([next.accepted.id]);
  });
});

describe("acceptBatch: idempotency keys are never left taken with nothing sent", () => {
  const batch = (keys: string[]): BatchRequest => ({
    items: keys.map((k, i) => ({ idempotency_key: k, message: { ...message, to: `user${i}@example.com` } })),
  });

  it("gives back the keys it took when begin fails on a later item, so the same batch can be sent again", async () => {
    // Prepare: DynamoDB fails on the third item's begin
    const { deps, idempotency, queue } = aSetup();
    idempotency.failBeginFrom = 3;

    // Act
    const failed = await acceptBatch(batch(["a", "b", "c", "d"]), identity, deps).then(
      () => "accepted",
      (error: unknown) => String(error),
    );
    idempotency.failBeginFrom = undefined;
    const retry = await acceptBatch(batch(["a", "b", "c", "d"]), identity, deps);

    // Assess
    expect(failed).toContain("DynamoDB unavailable");
    expect(retry.map((r) => r.status)).toEqual([202, 202, 202, 202]);
    expect(queue.sent).toHaveLength(4);
  });

  it("answers an item from its record after the lease when complete() failed", async () => {
    // Prepare
    const { deps, idempotency, advance, queue, store } = aSetup();
    idempotency.failComplete = true;

    // Act
    const first = await acceptBatch(batch(["x"]), identity, deps);
    const during = await acceptBatch(batch(["x"]), identity, deps);
    advance(AFTER_LEASE_MS);
    idempotency.failComplete = false;
    const after = await acceptBatch(batch(["x"]), identity, deps);

    // Assess
    expect(first[0]).toMatchObject({ status: 202 });
    expect(during[0]).toMatchObject({ status: 409, error: { code: "idempotency.in_progress" } });
    expect(after[0]).toMatchObject({ status: 202, id: first[0]?.id, replayed: true });
    expect(new Set(queue.sent.map((s) => s.envelope.id))).toEqual(new Set([first[0]?.id]));
    expect(store.records.size).toBe(1);
  });

  it("queues an item an earlier batch recorded but never queued, under the same id", async () => {
    // Prepare: the first batch wrote its record and died before SQS answered
    const { deps, queue, advance, store } = aSetup();
    const stalled = queue.enqueueBatch.bind(queue);
    queue.enqueueBatch = () => new Promise(() => undefined);
    void acceptBatch(batch(["y"]), identity, deps);
    await settle();
    queue.enqueueBatch = stalled;
    const [recorded] = [...store.records.values()];

    // Act
    advance(AFTER_LEASE_MS);
    const after = await acceptBatch(batch(["y"]), identity, deps);

    // Assess
    expect(after[0]).toMatchObject({ status: 202, id: recorded?.id, replayed: true });
    expect(store.records.size).toBe(1);
    expect(queue.sent.map((s) => s.envelope.id)).toEqual([recorded?.id]);
  });
});

describe("HERALD_IDEMPOTENCY_LEASE_SECONDS", () => {
  const base = {
    HERALD_TABLE_NAME: "t",
    HERALD_EMAIL_QUEUE_URL: "http://q/email",
    HERALD_SMS_QUEUE_URL: "http://q/sms",
    HERALD_SECURE_QUEUE_URL: "http://q/secure",
    HERALD_EMAIL_FROM: "noreply@herald.test",
    HERALD_AUDIT_HMAC_KEY: "unit-test-audit-key-of-32-characters",
  };

  it("defaults to 60 seconds and takes a whole number of seconds from 1 to 3600", () => {
    expect(loadConfig(base).idempotencyLeaseSeconds).toBe(60);
    expect(loadConfig({ ...base, HERALD_IDEMPOTENCY_LEASE_SECONDS: "2" }).idempotencyLeaseSeconds).toBe(2);
    expect(() => loadConfig({ ...base, HERALD_IDEMPOTENCY_LEASE_SECONDS: "0" })).toThrow("HERALD_IDEMPOTENCY_LEASE_SECONDS: must be at least 1");
    expect(() => loadConfig({ ...base, HERALD_IDEMPOTENCY_LEASE_SECONDS: "1.5" })).toThrow("HERALD_IDEMPOTENCY_LEASE_SECONDS: must be an integer");
  });

  it("is the lease a request holds its key for", async () => {
    // Prepare: a 5 s lease, and a request that died holding its key
    const { deps, store, advance, codeOf } = aSetup();
    const short = { ...deps, idempotencyLeaseSeconds: 5 };
    store.stallNext = true;
    void acceptOnce(message, identity, "order-8", short);
    await settle();

    // Act
    advance(4_000);
    const before = await codeOf(acceptOnce(message, identity, "order-8", short));
    advance(2_000);
    const after = await codeOf(acceptOnce(message, identity, "order-8", short));

    // Assess
    expect([before, after]).toEqual(["idempotency.in_progress", "accepted"]);
  });
});
