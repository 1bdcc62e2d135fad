import { describe, expect, it } from "vitest";
import { Roles } from "@herald/contracts";
import { legacySentBody, MAX_LEGACY_MSG_BYTES } from "@herald/contracts/send";
import { aMessageRecord } from "@herald/testing";
import { fromLegacy, toLegacyItem, toLegacyList } from "../../src/domain/legacy";
import { LEGACY_LIST_MAX } from "../../src/routes/legacy";
import { anIngestApp, NOW } from "./harness";

const qs = (params: Record<string, string>) => new URLSearchParams(params).toString();

describe("fromLegacy (POST /msg parameters → a v1 email)", () => {
  it("maps msg_id, msg, subject and store_secure onto a v1 email", () => {
    // Act
    const { message, params } = fromLegacy({
      query: { msg_id: ["alice@example.com"], msg: ["Testing"], subject: ["test_api"], store_secure: ["True"] },
      body: undefined,
    });

    // Assess
    expect(params.msg_id).toBe("alice@example.com");
    expect(message).toEqual({ channel: "email", to: ["alice@example.com"], subject: "test_api", text: "Testing", store_secure: true });
  });

  it.each([["False"], ["true"], ["1"], [""]])("takes store_secure=%j as false, as the old API did", (value) => {
    // Act
    const { message } = fromLegacy({ query: { msg_id: ["a@example.com"], msg: ["m"], subject: ["s"], store_secure: [value] }, body: undefined });

    // Assess
    expect(message.store_secure).toBe(false);
  });

  it("takes the parameters from a body, or from both when they agree", () => {
    // Act
    const fromBody = fromLegacy({ query: {}, body: { msg_id: "a@example.com", msg: "m", subject: "s", store_secure: true } });
    const split = fromLegacy({ query: { msg_id: ["a@example.com"] }, body: { msg_id: "a@example.com", msg: "m", subject: "s" } });

    // Assess
    expect(fromBody.message).toMatchObject({ to: ["a@example.com"], store_secure: true });
    expect(split.message).toMatchObject({ to: ["a@example.com"], text: "m", store_secure: false });
  });

  it.each([
    ["no msg_id", { msg: ["m"], subject: ["s"] }, undefined, { path: "msg_id", message: "is required" }],
    ["an invalid address", { msg_id: ["not-an-address"], msg: ["m"], subject: ["s"] }, undefined, { path: "msg_id", message: "must be a valid email address" }],
    ["an empty msg", { msg_id: ["a@example.com"], msg: [""], subject: ["s"] }, undefined, { path: "msg", message: "must not be empty" }],
    ["an oversized msg", { msg_id: ["a@example.com"], msg: ["x".repeat(MAX_LEGACY_MSG_BYTES + 1)], subject: ["s"] }, undefined, { path: "msg", message: `must be at most ${MAX_LEGACY_MSG_BYTES} bytes` }],
    ["a subject with a line break", { msg_id: ["a@example.com"], msg: ["m"], subject: ["s\r\nBcc: x@evil.test"] }, undefined, { path: "subject", message: expect.stringContaining("must not contain CR, LF") }],
    ["no subject", { msg_id: ["a@example.com"], msg: ["m"] }, undefined, { path: "subject", message: "is required" }],
    ["a parameter twice with different values", { msg_id: ["a@example.com", "b@example.com"], msg: ["m"], subject: ["s"] }, undefined, { path: "msg_id", message: "is given more than once, with different values" }],
    ["query and body disagreeing", { msg_id: ["a@example.com"] }, { msg_id: "b@example.com", msg: "m", subject: "s" }, { path: "msg_id", message: "is given in the query and the body with different values" }],
    ["an unknown body field", {}, { msg_id: "a@example.com", msg: "m", subject: "s", to: "x@example.com" }, { path: "to", message: "is not a known field" }],
  ])("refuses %s, naming the parameter", (_what, query, body, error) => {
    // Act
    const act = () => fromLegacy({ query: query as Record<string, string[]>, body });

    // Assess
    expect(act).toThrow(expect.objectContaining({ status: 400, errors: expect.arrayContaining([error]) }));
  });

  it("ignores query parameters the old API did not know, as it did", () => {
    // Act
    const { message } = fromLegacy({ query: { msg_id: ["a@example.com"], msg: ["m"], subject: ["s"], _: ["1700000000"] }, body: undefined });

    // Assess
    expect(message.to).toEqual(["a@example.com"]);
  });
});

describe("toLegacyItem and toLegacyList (records → the old Query shape)", () => {
  it("shows the text and subject, oldest first, with Count equal to ScannedCount", () => {
    // Prepare
    const older = aMessageRecord({ created_at: "2026-11-01T09:00:00.000Z" });
    const newer = aMessageRecord({
      created_at: "2026-11-02T09:00:00.000Z",
      content: { channel: "email", from: "noreply@herald.local", to: ["alice@example.com"], subject: "Second", html: "<p>Only html</p>" },
    });

    // Act
    const list = toLegacyList([newer, older], "alice@example.com");

    // Assess
    expect(list).toEqual({
      Items: [
        { msg_id: "alice@example.com", timestamp: "2026-11-01T09:00:00.000Z", msg: "Thanks for your order.", subject: "Your receipt" },
        { msg_id: "alice@example.com", timestamp: "2026-11-02T09:00:00.000Z", msg: "<p>Only html</p>", subject: "Second" },
      ],
      Count: 2,
      ScannedCount: 2,
    });
  });

  it("never shows a store_secure message's content, nor an erased one's", () => {
    // Prepare
    const { content: _content, ...sealed } = aMessageRecord({ store_secure: true });
    const erased = aMessageRecord({ erased_at: NOW.toISOString() });

    // Act & Assess
    expect(toLegacyItem(sealed, "a@example.com")).toMatchObject({ msg: "(encrypted)", subject: "(encrypted)" });
    expect(toLegacyItem({ ...erased, content: undefined }, "a@example.com")).toMatchObject({ msg: "(erased)", subject: "(erased)" });
  });
});

describe("POST /msg and GET /msg", () => {
  it("answers the old 201 string for the old query-string POST and queues a v1 email", async () => {
    // Prepare
    const { app, key, queue, store } = await anIngestApp();

    // Act
    const response = await app.request(`/msg?${qs({ msg_id: "alice@example.com", msg: "Testing", subject: "test_api", store_secure: "False" })}`, {
      method: "POST",
      headers: { "X-Api-Key": key },
    });

    // Assess
    expect(response.status).toBe(201);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    const text = await response.text();
    expect(text).toBe('"Msg sent and stored succesfully for alice@example.com"');
    expect(text).toBe(JSON.stringify(legacySentBody("alice@example.com")));
    expect(queue.sent.map((s) => s.queue)).toEqual(["email"]);
    const record = await store.get(queue.sent[0]?.envelope.id ?? "");
    expect(record).toMatchObject({ status: "queued", principal: expect.any(String), tenant: "acme", content: { to: ["alice@example.com"], subject: "test_api", text: "Testing" } });
    expect(response.headers.get("location")).toBe(`/v1/messages/${record?.id}`);
  });

  it("seals store_secure=True: nothing in clear in the record, the content to the secure-store queue", async () => {
    // Prepare
    const { app, key, queue, store } = await anIngestApp();

    // Act
    const response = await app.request(`/msg?${qs({ msg_id: "vault@example.com", msg: "code 4711", subject: "Code", store_secure: "True" })}`, {
      method: "POST",
      headers: { "X-Api-Key": key },
    });

    // Assess
    expect(response.status).toBe(201);
    expect(queue.sent.map((s) => s.queue)).toEqual(["secure-store", "email"]);
    const record = await store.get(queue.sent[0]?.envelope.id ?? "");
    expect(record?.store_secure).toBe(true);
    expect(JSON.stringify(record)).not.toContain("4711");
  });

  it("takes the parameters as a JSON body or a form body", async () => {
    // Prepare
    const { app, key, queue } = await anIngestApp();

    // Act
    const json = await app.request("/msg", {
      method: "POST",
      headers: { "X-Api-Key": key, "content-type": "application/json" },
      body: JSON.stringify({ msg_id: "a@example.com", msg: "m", subject: "s" }),
    });
    const form = await app.request("/msg", {
      method: "POST",
      headers: { "X-Api-Key": key, "content-type": "application/x-www-form-urlencoded" },
      body: qs({ msg_id: "b@example.com", msg: "m", subject: "s" }),
    });
    const xml = await app.request("/msg", { method: "POST", headers: { "X-Api-Key": key, "content-type": "text/xml" }, body: "<msg/>" });

    // Assess
    expect([json.status, form.status, xml.status]).toEqual([201, 201, 415]);
    expect(queue.sent).toHaveLength(2);
  });

  it("answers a missing msg_id with a 400 problem naming it, and records nothing", async () => {
    // Prepare
    const { app, key, queue, store } = await anIngestApp();

    // Act
    const response = await app.request(`/msg?${qs({ msg: "Testing", subject: "test_api" })}`, { method: "POST", headers: { "X-Api-Key": key } });
    const listing = await app.request("/msg", { headers: { "X-Api-Key": key } });

    // Assess
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(await response.json()).toMatchObject({ status: 400, errors: [{ path: "msg_id", message: "is required" }] });
    expect(listing.status).toBe(400);
    expect(await listing.json()).toMatchObject({ errors: [{ path: "msg_id", message: "is required" }] });
    expect(queue.sent).toHaveLength(0);
    expect(store.records.size).toBe(0);
  });

  it("replays the first answer for a repeated Idempotency-Key and sends nothing twice", async () => {
    // Prepare
    const { app, key, queue } = await anIngestApp();
    const send = () =>
      app.request(`/msg?${qs({ msg_id: "a@example.com", msg: "m", subject: "s" })}`, { method: "POST", headers: { "X-Api-Key": key, "Idempotency-Key": "order-1" } });

    // Act
    const first = await send();
    const again = await send();

    // Assess
    expect([first.status, again.status]).toEqual([201, 201]);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(queue.sent).toHaveLength(1);
  });

  it("needs a key, and the send or read role", async () => {
    // Prepare
    const { app, keyFor } = await anIngestApp();
    const reader = await keyFor([Roles.read]);
    const sender = await keyFor([Roles.send]);
    const post = (headers: Record<string, string>) =>
      app.request(`/msg?${qs({ msg_id: "a@example.com", msg: "m", subject: "s" })}`, { method: "POST", headers });

    // Act
    const anonymous = await post({});
    const readOnly = await post({ "X-Api-Key": reader });
    const listBySender = await app.request("/msg?msg_id=a@example.com", { headers: { "X-Api-Key": sender } });

    // Assess
    expect([anonymous.status, readOnly.status, listBySender.status]).toEqual([401, 403, 403]);
  });

  it("lists every message to the address, oldest first, within the caller's read scope and tenant", async () => {
    // Prepare
    // All at the same instant: the history's order falls back to the (increasing) ids.
    const { app, keyFor } = await anIngestApp();
    const alice = await keyFor([Roles.send, Roles.read], "acme", "alice");
    const bob = await keyFor([Roles.send, Roles.read], "acme", "bob");
    const auditor = await keyFor([Roles.readAll], "acme", "auditor");
    const other = await keyFor([Roles.send, Roles.readAll], "globex", "mallory");
    const send = (apiKey: string, msg: string) =>
      app.request(`/msg?${qs({ msg_id: "Dest@Example.com", msg, subject: `s-${msg}` })}`, { method: "POST", headers: { "X-Api-Key": apiKey } });
    for (const [apiKey, msg] of [[alice, "1"], [bob, "2"], [alice, "3"], [other, "4"]] as const) {
      expect((await send(apiKey, msg)).status).toBe(201);
    }
    const list = async (apiKey: string) =>
      (await (await app.request("/msg?msg_id=dest@example.com", { headers: { "X-Api-Key": apiKey } })).json()) as {
        Items: { msg: string }[];
        Count: number;
        ScannedCount: number;
      };

    // Act
    const own = await list(alice);
    const all = await list(auditor);
    const otherTenant = await list(other);

    // Assess
    expect(own.Items.map((i) => i.msg)).toEqual(["1", "3"]);
    expect(all.Items.map((i) => i.msg)).toEqual(["1", "2", "3"]);
    expect([all.Count, all.ScannedCount]).toEqual([3, 3]);
    expect(otherTenant.Items.map((i) => i.msg)).toEqual(["4"]);
  });

  it(`pages the store and answers at most the newest ${LEGACY_LIST_MAX}, saying so in a header`, async () => {
    // Prepare
    const { app, key, store } = await anIngestApp();
    for (let i = 0; i < LEGACY_LIST_MAX + 5; i++) {
      const at = new Date(Date.parse("2026-01-01T00:00:00.000Z") + i * 1000).toISOString();
      await store.create(aMessageRecord({ tenant: "acme", principal: "p", recipients: ["bulk@example.com"], created_at: at, updated_at: at, history: [{ status: "queued", at }] }));
    }

    // Act
    const response = await app.request("/msg?msg_id=bulk@example.com", { headers: { "X-Api-Key": key } });

    // Assess
    const body = (await response.json()) as { Items: { timestamp: string }[]; Count: number };
    expect(response.status).toBe(200);
    expect(body.Count).toBe(LEGACY_LIST_MAX);
    expect(body.Items[0]?.timestamp).toBe(new Date(Date.parse("2026-01-01T00:00:00.000Z") + 5000).toISOString());
    expect(body.Items.at(-1)?.timestamp).toBe(new Date(Date.parse("2026-01-01T00:00:00.000Z") + (LEGACY_LIST_MAX + 4) * 1000).toISOString());
    expect(response.headers.get("herald-truncated")).toBe(`newest ${LEGACY_LIST_MAX} only`);
  });

  it("documents both routes in the OpenAPI as the legacy surface", async () => {
    // Prepare
    const { app } = await anIngestApp();

    // Act
    const doc = (await (await app.request("/openapi.json")).json()) as { paths: Record<string, Record<string, { tags?: string[] }>> };

    // Assess
    expect(Object.keys(doc.paths["/msg"] ?? {}).sort()).toEqual(["get", "post"]);
    expect(doc.paths["/msg"]?.post?.tags?.[0]).toMatch(/^Legacy/);
  });
});
