import { createHash, createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { Roles, type Identity } from "@herald/contracts";
import { sealContent } from "@herald/crypto";
import { MemoryMessageStore } from "@herald/messages/memory";
import { createLogger, TransientError, type Secret } from "@herald/platform";
import { aMessageRecord } from "@herald/testing";
import { hmacRecipient } from "../../src/adapters/hmac-recipient";
import { eraseRecipient } from "../../src/domain/erase";
import { anIngestApp, AUDIT_KEY, NOW } from "./harness";

type Json = Record<string, unknown>;
type Harness = Awaited<ReturnType<typeof anIngestApp>>;

const email = { channel: "email", to: "alice@example.com", subject: "Your code", text: "The code is 123456" };
const hmac = (recipient: string, key = AUDIT_KEY) => createHmac("sha256", key).update(recipient).digest("hex");
const sha256 = (recipient: string) => createHash("sha256").update(recipient).digest("hex");
const keyOf = (value: string): Secret => ({ source: "environment", value: async () => value, refresh: async () => value });

async function send(harness: Harness, body: Json): Promise<string> {
  const response = await harness.post(body);
  expect(response.status).toBe(202);
  return ((await response.json()) as { id: string }).id;
}

/** What the secure-store consumer does: seal the content that travelled on its queue. */
async function sealAsConsumer(harness: Harness, id: string): Promise<void> {
  const sent = harness.queue.sent.find((s) => s.queue === "secure-store" && s.envelope.id === id);
  const record = await harness.store.get(id);
  if (!sent?.envelope.content || !record) throw new Error("nothing to seal");
  await harness.store.seal(id, await sealContent(harness.cipher, record, sent.envelope.content), NOW);
}

const erase = (harness: Harness, body: unknown, key = harness.key) =>
  harness.app.request("/v1/recipients/erase", {
    method: "POST",
    headers: { "x-api-key": key, "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

describe("POST /v1/recipients/erase", () => {
  it("leaves no content, metadata or address of the recipient, and listing the recipient finds nothing", async () => {
    // Prepare
    const harness = await anIngestApp();
    const plain = await send(harness, { ...email, cc: "bob@example.com", metadata: { order: "A-1001" } });
    const secure = await send(harness, { ...email, to: "Alice@Example.com", store_secure: true });
    await sealAsConsumer(harness, secure);
    const bobsOwn = await send(harness, { ...email, to: "bob@example.com" });

    // Act
    const response = await erase(harness, { recipient: "Alice@Example.com" });

    // Assess
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ erased: 2, at: NOW.toISOString(), first_erased_at: NOW.toISOString() });
    const listed = (await (await harness.get("/v1/messages?recipient=alice@example.com")).json()) as Json;
    expect(listed).toEqual({ items: [], next_cursor: null });
    const view = (await (await harness.get(`/v1/messages/${plain}`)).json()) as Json;
    expect(view).toMatchObject({ id: plain, erased: true, erased_at: NOW.toISOString() });
    for (const field of ["to", "cc", "subject", "text", "metadata"]) expect(view).not.toHaveProperty(field);
    for (const id of [plain, secure]) expect(JSON.stringify(harness.store.records.get(id))).not.toContain("alice@example.com");
    expect(harness.store.records.get(plain)?.recipients).toEqual(["bob@example.com"]);
    expect((await harness.app.request(`/v1/messages/${secure}/decrypt`, { method: "POST", headers: { "x-api-key": harness.key } })).status).toBe(410);
    // bob was not erased: his own message is whole, and the shared one is still in his history, erased
    expect((await (await harness.get(`/v1/messages/${bobsOwn}`)).json()) as Json).toMatchObject({ erased: false, text: "The code is 123456" });
    const bobs = (await (await harness.get("/v1/messages?recipient=bob@example.com")).json()) as { items: { id: string }[] };
    expect(bobs.items.map((i) => i.id).sort()).toEqual([plain, bobsOwn].sort());
  });

  it("records the erasure under the recipient's HMAC, never the address or its plain SHA-256", async () => {
    // Prepare
    const harness = await anIngestApp();
    await send(harness, { channel: "sms", to: "+44 7911 123456", text: "Your code is 123456" });

    // Act
    const response = await erase(harness, { recipient: "+44 7911 123456" });

    // Assess
    expect(response.status).toBe(200);
    expect(harness.store.audit).toEqual([
      { tenant: "acme", recipientHmac: hmac("+447911123456"), principal: expect.stringMatching(/^key:/), at: NOW.toISOString(), messages: 1 },
    ]);
    expect(harness.store.audit[0]?.recipientHmac).not.toBe(sha256("+447911123456"));
    expect(JSON.stringify(harness.store.audit)).not.toContain("7911123456");
  });

  it.each([
    ["no recipient", {}, "recipient", "is required"],
    ["a recipient that is neither an address nor a number", { recipient: "not-a-recipient" }, "recipient", "must be an email address or an E.164 phone number"],
    ["a number without its country code", { recipient: "07911 123456" }, "recipient", "must be an email address or an E.164 phone number"],
    ["an unknown field", { recipient: "alice@example.com", extra: 1 }, "extra", "is not a known field"],
    ["a recipient that is not a string", { recipient: ["alice@example.com"] }, "recipient", expect.any(String)],
  ])("answers 400 naming the field for %s, and erases nothing", async (_, body, path, message) => {
    // Prepare
    const harness = await anIngestApp();
    const id = await send(harness, email);

    // Act
    const response = await erase(harness, body);

    // Assess
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(((await response.json()) as { errors: unknown[] }).errors).toContainEqual({ path, message });
    expect(harness.store.audit).toEqual([]);
    expect((await harness.store.get(id))?.content).toBeDefined();
  });

  it("answers 415 for a body that is not JSON, 403 without messages:erase, and erases nothing", async () => {
    // Prepare
    const harness = await anIngestApp();
    const id = await send(harness, email);
    const noErase = await harness.keyFor([Roles.send, Roles.readAll]);

    // Act
    const notJson = await harness.app.request("/v1/recipients/erase", {
      method: "POST",
      headers: { "x-api-key": harness.key, "content-type": "text/plain" },
      body: "recipient=alice@example.com",
    });
    const forbidden = await erase(harness, { recipient: "alice@example.com" }, noErase);

    // Assess
    expect([notJson.status, forbidden.status]).toEqual([415, 403]);
    expect(harness.store.audit).toEqual([]);
    expect((await harness.store.get(id))?.content).toBeDefined();
  });

  it("does not touch another tenant's messages to the same recipient", async () => {
    // Prepare
    const harness = await anIngestApp();
    const theirs = await harness.keyFor([Roles.send, Roles.read, Roles.erase], "globex", "g");
    const id = ((await (await harness.post(email, {}, theirs)).json()) as { id: string }).id;

    // Act
    const response = await erase(harness, { recipient: "alice@example.com" });

    // Assess
    expect(await response.json()).toMatchObject({ erased: 0 });
    expect((await harness.store.get(id))?.content).toBeDefined();
    expect((await (await harness.get("/v1/messages?recipient=alice@example.com", theirs)).json()) as Json).toMatchObject({ items: [{ id }] });
  });

  it.each([
    ["cannot be read", new TransientError("secrets.empty", "The Secrets Manager secret of HERALD_AUDIT_HMAC_KEY has no string value"), "secrets.empty"],
    ["is shorter than 32 characters", "short-key", "audit.key_invalid"],
  ])("answers 503 and erases nothing when the audit key %s", async (_, key, code) => {
    // Prepare
    const secret: Secret =
      typeof key === "string"
        ? keyOf(key)
        : { source: "secretsmanager:herald/t/AuditHmacKey", value: async () => Promise.reject(key), refresh: async () => Promise.reject(key) };
    const harness = await anIngestApp({ recipientHmac: hmacRecipient(secret) });
    const id = await send(harness, email);

    // Act
    const response = await erase(harness, { recipient: "alice@example.com" });

    // Assess
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ code });
    expect(harness.store.audit).toEqual([]);
    expect(await harness.store.get(id)).toMatchObject({ recipients: ["alice@example.com"], content: { text: "The code is 123456" } });
  });
});

describe("DELETE /v1/recipients/{recipient} (deprecated)", () => {
  it("still erases, and says it is deprecated and what replaces it", async () => {
    // Prepare
    const harness = await anIngestApp();
    const id = await send(harness, email);

    // Act
    const response = await harness.app.request("/v1/recipients/Alice@Example.com", { method: "DELETE", headers: { "x-api-key": harness.key } });

    // Assess
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ erased: 1, at: NOW.toISOString(), first_erased_at: NOW.toISOString() });
    expect(response.headers.get("deprecation")).toMatch(/^@\d+$/);
    expect(response.headers.get("link")).toBe('</v1/recipients/erase>; rel="successor-version"');
    expect(harness.store.records.get(id)).toMatchObject({ recipients: [], erased_at: NOW.toISOString() });
    expect(harness.store.audit.map((a) => a.recipientHmac)).toEqual([hmac("alice@example.com")]);
  });

  it("is marked deprecated in the OpenAPI document, beside the POST route with its body", async () => {
    // Prepare
    const { app } = await anIngestApp();

    // Act
    const doc = (await (await app.request("/openapi.json")).json()) as {
      paths: Record<string, Record<string, { deprecated?: boolean; requestBody?: { content: Record<string, { schema: { $ref: string } }> } }>>;
    };

    // Assess
    expect(doc.paths["/v1/recipients/{recipient}"]?.delete?.deprecated).toBe(true);
    expect(doc.paths["/v1/recipients/erase"]?.post?.deprecated).toBeUndefined();
    expect(doc.paths["/v1/recipients/erase"]?.post?.requestBody?.content["application/json"]?.schema.$ref).toBe(
      "#/components/schemas/EraseRecipientRequest",
    );
  });
});

describe("eraseRecipient", () => {
  const identity: Identity = { principal: "dpo", tenant: "acme", roles: [Roles.erase] };
  function deps(store: MemoryMessageStore, times: Date[]) {
    let i = 0;
    return {
      store,
      recipientHmac: hmacRecipient(keyOf(AUDIT_KEY)),
      clock: { now: () => times[Math.min(i++, times.length - 1)] ?? NOW },
      logger: createLogger("erase-test", "SILENT"),
    };
  }

  it("answers a repeat with nothing erased and the time of the first erasure, which the audit confirms", async () => {
    // Prepare
    const store = new MemoryMessageStore();
    await store.create(aMessageRecord({ tenant: "acme", recipients: ["+447911123456"] }));
    const later = new Date(NOW.getTime() + 3_600_000);
    const d = deps(store, [NOW, later]);
    await eraseRecipient("+447911123456", identity, d);

    // Act
    const again = await eraseRecipient("+44 7911 123456", identity, d);

    // Assess
    expect(again).toEqual({ erased: 0, at: later.toISOString(), first_erased_at: NOW.toISOString() });
    expect(store.audit.map((a) => [a.recipientHmac, a.at, a.messages])).toEqual([
      [hmac("+447911123456"), NOW.toISOString(), 1],
      [hmac("+447911123456"), later.toISOString(), 0],
    ]);
  });

  it("keys the digest: another key gives another digest of the same recipient", async () => {
    // Act
    const ours = await hmacRecipient(keyOf(AUDIT_KEY))("alice@example.com");
    const theirs = await hmacRecipient(keyOf("another-audit-key-of-32-characters"))("alice@example.com");

    // Assess
    expect(ours).toBe(hmac("alice@example.com"));
    expect(theirs).not.toBe(ours);
    expect([ours, theirs]).not.toContain(sha256("alice@example.com"));
  });

  it("refuses a caller without messages:erase before reading the key or the store", async () => {
    // Prepare
    const store = new MemoryMessageStore();
    let keyRead = false;
    const d = { ...deps(store, [NOW]), recipientHmac: async () => ((keyRead = true), "x") };

    // Act
    const attempt = eraseRecipient("alice@example.com", { ...identity, roles: [Roles.readAll] }, d);

    // Assess
    await expect(attempt).rejects.toMatchObject({ status: 403 });
    expect(keyRead).toBe(false);
    expect(store.audit).toEqual([]);
  });
});
