import { describe, expect, it } from "vitest";
import { anIngestApp } from "./harness";

const body = { channel: "email", to: "alice@example.com", subject: "Once", text: "only once" };

describe("Idempotency-Key on POST /v1/messages", () => {
  it("returns the first response to a repeat with the same key and body, and queues nothing again", async () => {
    // Prepare
    const { post, queue, store } = await anIngestApp();

    // Act
    const first = await post(body, { "idempotency-key": "order-1001" });
    const second = await post({ text: "only once", subject: "Once", to: "alice@example.com", channel: "email" }, { "idempotency-key": "order-1001" });

    // Assess
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(await second.json()).toEqual(await first.json());
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    expect(queue.sent).toHaveLength(1);
    expect(store.records.size).toBe(1);
  });

  it("answers 409 when the key comes back with a different body", async () => {
    const { post, queue } = await anIngestApp();
    await post(body, { "idempotency-key": "k" });
    const response = await post({ ...body, text: "something else" }, { "idempotency-key": "k" });
    expect(response.status).toBe(409);
    expect(((await response.json()) as { code: string }).code).toBe("idempotency.key_reused");
    expect(queue.sent).toHaveLength(1);
  });

  it("keeps the keys of different principals apart", async () => {
    const { post, keyFor, queue } = await anIngestApp();
    const other = await keyFor(undefined, "acme", "another-service");
    expect((await post(body, { "idempotency-key": "shared" })).status).toBe(202);
    expect((await post(body, { "idempotency-key": "shared" }, other)).status).toBe(202);
    expect(queue.sent).toHaveLength(2);
  });

  it("lets exactly one of concurrent duplicates through", async () => {
    // Prepare
    const { post, queue } = await anIngestApp();

    // Act
    const responses = await Promise.all(Array.from({ length: 10 }, () => post(body, { "idempotency-key": "burst" })));

    // Assess: one accepted, the rest told it is in progress (or replayed once done)
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 202).length).toBeGreaterThanOrEqual(1);
    expect(statuses.every((s) => s === 202 || s === 409)).toBe(true);
    expect(queue.sent).toHaveLength(1);
  });

  it("gives the key back when the message could not be queued, so the retry goes through", async () => {
    const { post, queue } = await anIngestApp();
    queue.failWith = new Error("queue down");
    expect((await post(body, { "idempotency-key": "retry-me" })).status).toBe(503);
    queue.failWith = undefined;
    expect((await post(body, { "idempotency-key": "retry-me" })).status).toBe(202);
    expect(queue.sent).toHaveLength(1);
  });

  it("rejects a key with control characters or over 255 characters", async () => {
    const { post, queue } = await anIngestApp();
    for (const key of ["a".repeat(256), "tab\there", "é"]) {
      const response = await post(body, { "idempotency-key": key });
      expect(response.status, key).toBe(400);
      expect(((await response.json()) as { errors: { path: string }[] }).errors[0]?.path).toBe("idempotency-key");
    }
    expect(queue.sent).toHaveLength(0);
  });
});
