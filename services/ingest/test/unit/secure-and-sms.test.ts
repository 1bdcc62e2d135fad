import { describe, expect, it } from "vitest";
import { Roles } from "@herald/contracts";
import { sealContent } from "@herald/crypto";
import { anIngestApp, NOW } from "./harness";

type Json = Record<string, unknown>;
const secureEmail = { channel: "email", to: "alice@example.com", subject: "Your code", text: "The code is 123456", store_secure: true };

async function sendSecure(harness: Awaited<ReturnType<typeof anIngestApp>>, body: Json = secureEmail) {
  const response = await harness.post(body);
  expect(response.status).toBe(202);
  return ((await response.json()) as { id: string }).id;
}

/** What the secure-store consumer does: seal the content that travelled on its queue. */
async function sealAsConsumer(harness: Awaited<ReturnType<typeof anIngestApp>>, id: string) {
  const sent = harness.queue.sent.find((s) => s.queue === "secure-store" && s.envelope.id === id);
  const record = await harness.store.get(id);
  if (!sent?.envelope.content || !record) throw new Error("nothing to seal");
  await harness.store.seal(id, await sealContent(harness.cipher, record, sent.envelope.content), NOW);
}

const decrypt = (harness: Awaited<ReturnType<typeof anIngestApp>>, id: string, key = harness.key) =>
  harness.app.request(`/v1/messages/${id}/decrypt`, { method: "POST", headers: { "x-api-key": key, "content-type": "application/json" } });

describe("store_secure", () => {
  it("writes no plaintext to the record and sends the content to the secure-store and email queues", async () => {
    // Prepare
    const harness = await anIngestApp();

    // Act
    const id = await sendSecure(harness);

    // Assess
    const record = await harness.store.get(id);
    expect(record?.store_secure).toBe(true);
    expect(JSON.stringify(record)).not.toContain("123456");
    expect(JSON.stringify(record)).not.toContain("Your code");
    expect(harness.queue.sent.map((s) => s.queue)).toEqual(["secure-store", "email"]);
    expect(harness.queue.sent.every((s) => s.envelope.content?.channel === "email")).toBe(true);
    const view = (await (await harness.get(`/v1/messages/${id}`)).json()) as Json;
    expect(view).toMatchObject({ store_secure: true, erased: false });
    expect(view).not.toHaveProperty("text");
    expect(view).not.toHaveProperty("subject");
  });

  it("decrypts for messages:decrypt once sealed, 409 before, 403 without the role, 404 for another tenant", async () => {
    // Prepare
    const harness = await anIngestApp();
    const id = await sendSecure(harness);
    const noDecrypt = await harness.keyFor([Roles.send, Roles.read, Roles.readAll]);
    const otherTenant = await harness.keyFor([Roles.decrypt, Roles.readAll], "globex");

    // Act + Assess
    expect((await decrypt(harness, id)).status).toBe(409);
    await sealAsConsumer(harness, id);
    const response = await decrypt(harness, id);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      id,
      channel: "email",
      from: "noreply@herald.local",
      to: ["alice@example.com"],
      subject: "Your code",
      text: "The code is 123456",
    });
    expect((await decrypt(harness, id, noDecrypt)).status).toBe(403);
    expect((await decrypt(harness, id, otherTenant)).status).toBe(404);
  });

  it("refuses to decrypt tampered ciphertext or ciphertext moved to another message (422, never garbage)", async () => {
    // Prepare
    const harness = await anIngestApp();
    const first = await sendSecure(harness);
    const second = await sendSecure(harness);
    await sealAsConsumer(harness, first);
    const sealed = (await harness.store.get(first))?.sealed;
    if (!sealed) throw new Error("not sealed");
    const record = harness.store.records.get(first);
    if (!record) throw new Error("no record");

    // Act: flip one byte of the ciphertext
    const bytes = Buffer.from(sealed.ciphertext, "base64");
    bytes[0] = (bytes[0] ?? 0) ^ 0xff;
    record.sealed = { ...sealed, ciphertext: bytes.toString("base64") };
    const tampered = await decrypt(harness, first);
    // ...and copy the first message's intact ciphertext onto the second
    await harness.store.seal(second, sealed, NOW);
    const moved = await decrypt(harness, second);

    // Assess
    expect(tampered.status).toBe(422);
    expect(((await tampered.json()) as { code: string }).code).toBe("crypto.decrypt_failed");
    expect(moved.status).toBe(422);
  });

  it("costs one data key for many messages", async () => {
    const harness = await anIngestApp();
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push(await sendSecure(harness));
    for (const id of ids) await sealAsConsumer(harness, id);
    for (const id of ids) expect((await decrypt(harness, id)).status).toBe(200);
    expect(harness.keys.generated).toBe(1);
    expect(harness.keys.unwrapped).toBe(1);
  });

  it("answers 409 for decrypting a message that is not store_secure", async () => {
    const harness = await anIngestApp();
    const id = await sendSecure(harness, { ...secureEmail, store_secure: false });
    expect((await decrypt(harness, id)).status).toBe(409);
  });
});

describe("SMS", () => {
  it("normalises the number to E.164, counts segments and queues it on the sms queue", async () => {
    // Prepare
    const harness = await anIngestApp();

    // Act
    const response = await harness.post({ channel: "sms", to: "+44 7911 123456", text: "€".repeat(100) });

    // Assess
    expect(response.status).toBe(202);
    const { id, channel } = (await response.json()) as { id: string; channel: string };
    expect(channel).toBe("sms");
    const record = await harness.store.get(id);
    expect(record?.recipients).toEqual(["+447911123456"]);
    expect(record?.content).toEqual({ channel: "sms", to: "+447911123456", text: "€".repeat(100) });
    expect(record?.sms).toEqual({ encoding: "GSM-7", segments: 2, characters: 100 });
    expect(harness.queue.sent.map((s) => s.queue)).toEqual(["sms"]);
  });

  it("rejects invalid numbers, numbers without a country code, and over-long texts", async () => {
    const harness = await anIngestApp();
    for (const [body, path] of [
      [{ channel: "sms", to: "07700900123", text: "hi" }, "to"],
      [{ channel: "sms", to: "+1555", text: "hi" }, "to"],
      [{ channel: "sms", to: "+44 7911 123456\r\n", text: "hi" }, "to"],
      [{ channel: "sms", to: "+447911123456", text: "x".repeat(1601) }, "text"],
      [{ channel: "sms", to: "+447911123456", text: "" }, "text"],
      [{ channel: "sms", to: "+447911123456", text: "hi", subject: "no" }, "subject"],
    ] as const) {
      const response = await harness.post(body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(((await response.json()) as { errors: { path: string }[] }).errors.map((e) => e.path)).toContain(path);
    }
    expect(harness.store.records.size).toBe(0);
  });

  it("lists a phone number's history, however the number is written", async () => {
    const harness = await anIngestApp();
    await harness.post({ channel: "sms", to: "+447911123456", text: "one" });
    await harness.post({ channel: "sms", to: "+44 (0)7911 123456", text: "two" });
    const page = (await (await harness.get("/v1/messages?recipient=%2B44%207911%20123456")).json()) as { items: { channel: string }[] };
    expect(page.items).toHaveLength(2);
    expect(page.items.every((i) => i.channel === "sms")).toBe(true);
  });
});

describe("POST routes without a body", () => {
  it("decrypts without a content type, while sending without a body stays a 4xx", async () => {
    const harness = await anIngestApp();
    const id = await sendSecure(harness);
    await sealAsConsumer(harness, id);
    const bare = await harness.app.request(`/v1/messages/${id}/decrypt`, { method: "POST", headers: { "x-api-key": harness.key } });
    expect(bare.status).toBe(200);
    const empty = await harness.app.request("/v1/messages", { method: "POST", headers: { "x-api-key": harness.key } });
    expect(empty.status).toBeGreaterThanOrEqual(400);
    expect(empty.status).toBeLessThan(500);
    expect(empty.headers.get("content-type")).toBe("application/problem+json");
  });
});
