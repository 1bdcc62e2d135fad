import { describe, expect, it } from "vitest";
import { getExpectedTwilioSignature } from "twilio/lib/webhooks/webhooks";
import { MemoryMessageStore, MemorySuppressionList } from "@herald/messages/memory";
import { createLogger } from "@herald/platform";
import { aMessageRecord } from "@herald/testing";
import { createApp } from "../../src/app";
import { anIngestApp } from "./harness";

const TOKEN = "twilio-auth-token-for-unit-tests";
const CALLBACK = "https://api.example.com/v1/providers/twilio/status";

async function aTwilioApp() {
  const { app: base, ...rest } = await anIngestApp();
  void base;
  const store = new MemoryMessageStore();
  const suppressions = new MemorySuppressionList();
  const app = createApp({
    store,
    suppressions,
    queue: rest.queue,
    identify: async () => {
      throw new Error("the Twilio route must not ask for an identity");
    },
    cipher: rest.cipher,
    idempotency: { begin: async () => { throw new Error("unused"); } } as never,
    recipientHmac: async () => "x",
    clock: { now: () => new Date("2026-12-01T10:00:00Z") },
    newId: () => "unused",
    logger: createLogger("test", "SILENT"),
    senders: { default: "a@b.c", allowed: [] },
    twilio: { statusCallback: CALLBACK, authToken: { value: async () => TOKEN, refresh: async () => TOKEN, source: "environment" } as never },
  });
  const record = aMessageRecord({ channel: "sms", status: "sent", recipients: ["+447911123456"], provider_message_id: "SM123", content: { channel: "sms", to: "+447911123456", text: "Hi" } });
  await store.create(record);
  const post = (params: Record<string, string>, options: { signature?: string | null; tamper?: Record<string, string> } = {}) => {
    const url = `${CALLBACK}?message_id=${record.id}`;
    const signature = options.signature === undefined ? getExpectedTwilioSignature(TOKEN, url, params) : options.signature;
    return app.request(`/v1/providers/twilio/status?message_id=${record.id}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...(signature !== null && { "x-twilio-signature": signature }) },
      body: new URLSearchParams({ ...params, ...options.tamper }).toString(),
    });
  };
  return { store, suppressions, record, post };
}

const params = (MessageStatus: string, extra: Record<string, string> = {}) => ({ MessageSid: "SM123", AccountSid: "AC1", MessageStatus, To: "+447911123456", ...extra });

describe("POST /v1/providers/twilio/status", () => {
  it("applies a validly signed delivered callback", async () => {
    const { post, store, record } = await aTwilioApp();
    const response = await post(params("delivered"));
    expect(response.status).toBe(204);
    expect((await store.get(record.id))?.status).toBe("delivered");
  });

  it("keeps the first final status: undelivered after delivered changes nothing, and sent after it neither", async () => {
    const { post, store, record } = await aTwilioApp();
    await post(params("undelivered", { ErrorCode: "30003" }));
    await post(params("delivered"));
    await post(params("sent"));
    const after = await store.get(record.id);
    expect(after?.status).toBe("undelivered");
    expect(after?.outcomes?.["+447911123456"]).toMatchObject({ status: "undelivered", code: "twilio.30003" });
  });

  it("answers 403 and changes nothing for a tampered parameter or a missing signature", async () => {
    const { post, store, record } = await aTwilioApp();
    expect((await post(params("delivered"), { tamper: { MessageStatus: "failed" } })).status).toBe(403);
    expect((await post(params("delivered"), { signature: null })).status).toBe(403);
    expect((await post(params("delivered"), { signature: "bm90IGEgc2lnbmF0dXJl" })).status).toBe(403);
    expect((await store.get(record.id))?.status).toBe("sent");
  });

  it("suppresses the number on error 21610 (unsubscribed)", async () => {
    const { post, suppressions, record } = await aTwilioApp();
    await post(params("failed", { ErrorCode: "21610" }));
    expect(await suppressions.get(record.tenant, "+447911123456")).toMatchObject({ reason: "unsubscribed", message_id: record.id });
  });
});
