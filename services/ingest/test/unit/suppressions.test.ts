import { describe, expect, it } from "vitest";
import { Roles } from "@herald/contracts";
import { anIngestApp, NOW } from "./harness";

const bounced = (address: string) => ({ address, reason: "bounce" as const, created_at: NOW.toISOString(), message_id: "00000000-0000-4000-8000-00000000abcd" });

describe("suppression at ingest", () => {
  it("leaves a suppressed recipient out and lists it in the 202; the others are queued", async () => {
    // Prepare
    const { post, suppressions, store, queue } = await anIngestApp();
    await suppressions.add("acme", bounced("bob@example.com"));
    // Act
    const response = await post({ channel: "email", to: ["alice@example.com", "Bob@Example.com"], subject: "Hi", text: "Hello" });
    // Assess
    expect(response.status).toBe(202);
    const body = (await response.json()) as { id: string; status: string; suppressed: string[] };
    expect(body).toMatchObject({ status: "queued", suppressed: ["bob@example.com"] });
    expect((await store.get(body.id))?.outcomes?.["bob@example.com"]).toMatchObject({ status: "suppressed" });
    expect(queue.sent).toHaveLength(1);
  });

  it("records a message whose every recipient is suppressed as failed (reason suppressed) and queues nothing", async () => {
    const { post, suppressions, store, queue } = await anIngestApp();
    await suppressions.add("acme", bounced("bob@example.com"));
    const response = await post({ channel: "email", to: "bob@example.com", subject: "Hi", text: "Hello" });
    expect(response.status).toBe(202);
    const body = (await response.json()) as { id: string; status: string; suppressed: string[] };
    expect(body).toMatchObject({ status: "failed", suppressed: ["bob@example.com"] });
    expect(await store.get(body.id)).toMatchObject({ status: "failed", failure: { code: "message.suppressed", reason: "suppressed" } });
    expect(queue.sent).toHaveLength(0);
  });

  it("suppresses only within the tenant that suppressed", async () => {
    const { post, suppressions } = await anIngestApp();
    await suppressions.add("other-tenant", bounced("bob@example.com"));
    const body = (await (await post({ channel: "email", to: "bob@example.com", subject: "Hi", text: "Hello" })).json()) as Record<string, unknown>;
    expect(body.status).toBe("queued");
    expect(body.suppressed).toBeUndefined();
  });
});

describe("/v1/suppressions", () => {
  it("adds, gets, lists and removes, with role messages:suppressions", async () => {
    const { app, key } = await anIngestApp();
    const headers = { "content-type": "application/json", "x-api-key": key };
    const added = await app.request("/v1/suppressions", { method: "POST", headers, body: JSON.stringify({ address: "Carol@Example.com", note: "asked" }) });
    expect(added.status).toBe(201);
    expect(await added.json()).toMatchObject({ address: "carol@example.com", reason: "manual", note: "asked" });
    expect((await app.request("/v1/suppressions", { method: "POST", headers, body: JSON.stringify({ address: "carol@example.com" }) })).status).toBe(200);
    expect((await app.request("/v1/suppressions/carol%40example.com", { headers })).status).toBe(200);
    expect(await (await app.request("/v1/suppressions?limit=10", { headers })).json()).toMatchObject({ items: [{ address: "carol@example.com" }], next_cursor: null });
    expect((await app.request("/v1/suppressions/carol%40example.com", { method: "DELETE", headers })).status).toBe(204);
    expect((await app.request("/v1/suppressions/carol%40example.com", { headers })).status).toBe(404);
  });

  it("refuses a caller without the role (403) and an address that is neither email nor number (400)", async () => {
    const { app, keyFor, key } = await anIngestApp();
    const sender = await keyFor([Roles.send, Roles.read]);
    expect((await app.request("/v1/suppressions", { headers: { "x-api-key": sender } })).status).toBe(403);
    const bad = await app.request("/v1/suppressions", { method: "POST", headers: { "content-type": "application/json", "x-api-key": key }, body: JSON.stringify({ address: "not an address" }) });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain("address");
  });
});
