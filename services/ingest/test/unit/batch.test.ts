import { describe, expect, it } from "vitest";
import { anIngestApp } from "./harness";

const email = (i: number) => ({ channel: "email", to: `user${i}@example.com`, subject: `Hello ${i}`, text: "hi" });
type Results = { results: { index: number; status: number; id?: string; replayed?: boolean; error?: { code: string; errors?: { path: string }[] } }[] };

describe("POST /v1/messages/batch", () => {
  it("queues 100 messages with SendMessageBatch in chunks of 10", async () => {
    // Prepare
    const { app, key, queue, store } = await anIngestApp();
    const items = Array.from({ length: 100 }, (_, i) => ({ message: email(i) }));

    // Act
    const response = await app.request("/v1/messages/batch", {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": key },
      body: JSON.stringify({ items }),
    });

    // Assess
    expect(response.status).toBe(200);
    const { results } = (await response.json()) as Results;
    expect(results).toHaveLength(100);
    expect(results.every((r, i) => r.index === i && r.status === 202 && r.id)).toBe(true);
    expect(queue.batchCalls).toEqual(Array.from({ length: 10 }, () => ({ queue: "email", size: 10 })));
    expect(store.records.size).toBe(100);
  });

  it("sends store_secure items to the secure-store queue first, and fails an item SQS did not take", async () => {
    // Prepare
    const { app, key, queue, store } = await anIngestApp();
    const body = {
      items: [
        { message: { ...email(1), store_secure: true } },
        { message: email(2) },
        { message: { ...email(3), subject: "bad\nsubject" } },
        { message: { channel: "sms", to: "+14155552671", text: "hi" } },
      ],
    };
    queue.rejectIds.add("00000000-0000-4000-8000-000000000002");

    // Act
    const response = await app.request("/v1/messages/batch", {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": key },
      body: JSON.stringify(body),
    });

    // Assess
    const { results } = (await response.json()) as Results;
    expect(results.map((r) => r.status)).toEqual([202, 503, 400, 202]);
    expect(results[2]?.error?.errors?.map((e) => e.path)).toEqual(["items.2.message.subject"]);
    expect(queue.sent.map((s) => s.queue)).toEqual(["secure-store", "email", "sms"]);
    expect([...store.records.values()].find((r) => r.id === "00000000-0000-4000-8000-000000000002")?.failure?.code).toBe("queue.enqueue_failed");
  });

  it("replays items whose idempotency key was seen, and refuses a reused key with another message", async () => {
    const { app, key, queue } = await anIngestApp();
    const send = async (items: unknown[]) =>
      ((await (await app.request("/v1/messages/batch", {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": key },
        body: JSON.stringify({ items }),
      })).json()) as Results).results;
    const first = await send([{ idempotency_key: "a", message: email(1) }, { idempotency_key: "b", message: email(2) }]);
    const second = await send([{ idempotency_key: "a", message: email(1) }, { idempotency_key: "b", message: email(99) }, { idempotency_key: "c", message: email(3) }]);
    expect(second[0]).toMatchObject({ status: 202, id: first[0]?.id, replayed: true });
    expect(second[1]).toMatchObject({ status: 409, error: { code: "idempotency.key_reused" } });
    expect(second[2]).toMatchObject({ status: 202 });
    expect(queue.sent).toHaveLength(3);
  });

  it("rejects an empty batch, over 100 items, and a missing role", async () => {
    const { app, key, keyFor } = await anIngestApp();
    const post = (body: unknown, apiKey = key) =>
      app.request("/v1/messages/batch", { method: "POST", headers: { "content-type": "application/json", "x-api-key": apiKey }, body: JSON.stringify(body) });
    expect((await post({ items: [] })).status).toBe(400);
    expect((await post({ items: Array.from({ length: 101 }, (_, i) => ({ message: email(i) })) })).status).toBe(400);
    expect((await post({ items: [{ message: email(1) }] }, await keyFor(["messages:read"]))).status).toBe(403);
  });
});
