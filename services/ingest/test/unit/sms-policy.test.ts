import { describe, expect, it } from "vitest";
import { MemorySmsQuota } from "../../src/adapters/memory-sms-quota";
import type { SmsQuota } from "../../src/ports/sms-quota";
import { anIngestApp, NOW } from "./harness";

type Problem = { code: string; status: number; errors?: { path: string; message: string }[] };
type Results = { results: { index: number; status: number; id?: string; replayed?: boolean; error?: { code: string } }[] };

const sms = (to = "+447911000001") => ({ channel: "sms", to, text: "Your code is 123456" });
const email = { channel: "email", to: "alice@example.com", subject: "Hi", text: "Hello" };
/** 10:00 UTC (the harness's NOW) to the next midnight. */
const UNTIL_MIDNIGHT = 14 * 60 * 60;

function postBatch(harness: Awaited<ReturnType<typeof anIngestApp>>, messages: unknown[], keys: (string | undefined)[] = []) {
  return harness.app.request("/v1/messages/batch", {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": harness.key },
    body: JSON.stringify({ items: messages.map((message, i) => ({ message, ...(keys[i] && { idempotency_key: keys[i] }) })) }),
  });
}

describe("SMS number types (the schema, through the API)", () => {
  it.each([
    ["a US premium-rate number", "+1 900 555 1234"],
    ["a UK premium-rate number", "+44 909 000 0000"],
    ["a French shared-cost number", "+33 810 12 34 56"],
    ["a UK UAN", "+44 55 1234 5678"],
    ["an international-networks number", "+882 1300 0000"],
  ])("answers 400 naming to for %s, and records and queues nothing", async (_, to) => {
    // Prepare
    const harness = await anIngestApp();

    // Act
    const response = await harness.post(sms(to));

    // Assess
    expect(response.status).toBe(400);
    const problem = (await response.json()) as Problem;
    expect(problem.errors?.map((e) => e.path)).toEqual(["to"]);
    expect(harness.store.records.size).toBe(0);
    expect(harness.queue.sent).toEqual([]);
  });
});

describe("HERALD_SMS_COUNTRIES", () => {
  it("answers 422 sms.country_not_allowed naming to for a number of another country, and records nothing", async () => {
    // Prepare
    const harness = await anIngestApp({ sms: { countries: ["GB", "IE", "US"] } });

    // Act
    const response = await harness.post(sms("+4915212345678"));

    // Assess
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({
      code: "sms.country_not_allowed",
      errors: [{ path: "to", message: "is a number in DE; SMS goes only to GB, IE, US" }],
    });
    expect(harness.store.records.size).toBe(0);
    expect(harness.queue.sent).toEqual([]);
  });

  it("queues an SMS to a listed country, and leaves email alone", async () => {
    // Prepare
    const harness = await anIngestApp({ sms: { countries: ["GB"] } });

    // Act
    const statuses = [(await harness.post(sms("+447911000001"))).status, (await harness.post(email)).status];

    // Assess
    expect(statuses).toEqual([202, 202]);
    expect(harness.queue.sent.map((s) => s.queue)).toEqual(["sms", "email"]);
  });

  it("sends to every country when it is unset", async () => {
    // Prepare
    const harness = await anIngestApp();

    // Act
    const response = await harness.post(sms("+4915212345678"));

    // Assess
    expect(response.status).toBe(202);
  });

  it("refuses a Guernsey number when only GB is listed (+44 is shared)", async () => {
    // Prepare
    const harness = await anIngestApp({ sms: { countries: ["GB"] } });

    // Act
    const response = await harness.post(sms("+447911123456"));

    // Assess
    expect(response.status).toBe(422);
  });

  it("answers a batch item of another country 422 on its own", async () => {
    // Prepare
    const harness = await anIngestApp({ sms: { countries: ["GB"] } });

    // Act
    const response = await postBatch(harness, [sms(), sms("+14155552671"), email]);

    // Assess
    const { results } = (await response.json()) as Results;
    expect(results.map((r) => [r.status, r.error?.code])).toEqual([[202, undefined], [422, "sms.country_not_allowed"], [202, undefined]]);
    expect(harness.store.records.size).toBe(2);
  });
});

describe("the daily SMS quota", () => {
  it("answers 429 sms.quota_exceeded with Retry-After until UTC midnight once the tenant's quota is used, and records nothing", async () => {
    // Prepare
    const harness = await anIngestApp({ sms: { quota: new MemorySmsQuota({ perDay: 2 }) } });
    await harness.post(sms());
    await harness.post(sms());

    // Act
    const response = await harness.post(sms());

    // Assess
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe(String(UNTIL_MIDNIGHT));
    expect(await response.json()).toMatchObject({ code: "sms.quota_exceeded", status: 429 });
    expect(harness.store.records.size).toBe(2);
    expect(harness.queue.sent).toHaveLength(2);
  });

  it("counts each tenant on its own and never counts email", async () => {
    // Prepare
    const quota = new MemorySmsQuota({ perDay: 1 });
    const harness = await anIngestApp({ sms: { quota } });
    const globex = await harness.keyFor(undefined, "globex");
    await harness.post(sms());

    // Act
    const statuses = [(await harness.post(sms(), {}, globex)).status, (await harness.post(email)).status, (await harness.post(sms())).status];

    // Assess
    expect(statuses).toEqual([202, 202, 429]);
    expect(Object.fromEntries(quota.used)).toEqual({ "acme#2026-11-23": 1, "globex#2026-11-23": 1 });
  });

  it("renews at UTC midnight", async () => {
    // Prepare
    const quota = new MemorySmsQuota({ perDay: 1 });
    const today = await anIngestApp({ sms: { quota } });
    const tomorrow = await anIngestApp({ sms: { quota }, now: new Date("2026-11-24T00:00:00.000Z") });
    await today.post(sms());

    // Act
    const statuses = [(await today.post(sms())).status, (await tomorrow.post(sms(), {}, tomorrow.key)).status];

    // Assess
    expect(statuses).toEqual([429, 202]);
  });

  it("gives the SMS back when it could not be queued, so the retry is not refused", async () => {
    // Prepare
    const quota = new MemorySmsQuota({ perDay: 1 });
    const harness = await anIngestApp({ sms: { quota } });
    harness.queue.failWith = new Error("SQS is down");

    // Act
    const failed = await harness.post(sms());
    harness.queue.failWith = undefined;
    const retried = await harness.post(sms());

    // Assess
    expect([failed.status, retried.status]).toEqual([503, 202]);
    expect(quota.used.get("acme#2026-11-23")).toBe(1);
  });

  it("gives the SMS back when the record could not be written", async () => {
    // Prepare
    const quota = new MemorySmsQuota({ perDay: 1 });
    const harness = await anIngestApp({ sms: { quota } });
    const create = harness.store.create.bind(harness.store);
    harness.store.create = async () => {
      throw new Error("DynamoDB is down");
    };

    // Act
    const failed = await harness.post(sms());
    harness.store.create = create;
    const retried = await harness.post(sms());

    // Assess
    expect(failed.status).toBeGreaterThanOrEqual(500);
    expect(retried.status).toBe(202);
    expect(quota.used.get("acme#2026-11-23")).toBe(1);
  });

  it("does not count a replay of an Idempotency-Key, and frees a key whose SMS the quota refused", async () => {
    // Prepare
    const quota = new MemorySmsQuota({ perDay: 1 });
    const harness = await anIngestApp({ sms: { quota } });
    const first = await harness.post(sms(), { "idempotency-key": "k-1" });

    // Act
    const replay = await harness.post(sms(), { "idempotency-key": "k-1" });
    const refused = await harness.post(sms("+447911000002"), { "idempotency-key": "k-2" });
    await quota.giveBack("acme", NOW);
    const again = await harness.post(sms("+447911000002"), { "idempotency-key": "k-2" });

    // Assess
    expect([first.status, replay.status, replay.headers.get("idempotent-replayed"), refused.status, again.status]).toEqual([202, 202, "true", 429, 202]);
  });

  it("answers 503 sms.quota_unavailable and records nothing when the quota cannot be read", async () => {
    // Prepare
    const broken: SmsQuota = {
      take: async () => {
        throw new Error("DynamoDB is down");
      },
      giveBack: async () => undefined,
    };
    const harness = await anIngestApp({ sms: { quota: broken } });

    // Act
    const response = await harness.post(sms());

    // Assess
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ code: "sms.quota_unavailable" });
    expect(harness.store.records.size).toBe(0);
  });

  it("counts each SMS item of a batch and answers the ones over the quota 429 on their own", async () => {
    // Prepare
    const quota = new MemorySmsQuota({ perDay: 2 });
    const harness = await anIngestApp({ sms: { quota } });

    // Act
    const response = await postBatch(harness, [sms(), email, sms(), sms(), email]);

    // Assess
    expect(response.status).toBe(200);
    const { results } = (await response.json()) as Results;
    expect(results.map((r) => [r.status, r.error?.code])).toEqual([
      [202, undefined],
      [202, undefined],
      [202, undefined],
      [429, "sms.quota_exceeded"],
      [202, undefined],
    ]);
    expect(harness.store.records.size).toBe(4);
    expect(harness.queue.sent.filter((s) => s.queue === "sms")).toHaveLength(2);
  });

  it("gives back a batch item's SMS when SQS did not take it", async () => {
    // Prepare
    const quota = new MemorySmsQuota({ perDay: 5 });
    const harness = await anIngestApp({ sms: { quota } });
    harness.queue.rejectIds.add("00000000-0000-4000-8000-000000000002");

    // Act
    const response = await postBatch(harness, [sms(), sms(), sms()]);

    // Assess
    const { results } = (await response.json()) as Results;
    expect(results.map((r) => r.status)).toEqual([202, 503, 202]);
    expect(quota.used.get("acme#2026-11-23")).toBe(2);
  });

  it("frees the idempotency key of a batch item the quota refused", async () => {
    // Prepare
    const quota = new MemorySmsQuota({ perDay: 1 });
    const harness = await anIngestApp({ sms: { quota } });
    await harness.post(sms());

    // Act
    const refused = (await (await postBatch(harness, [sms()], ["b-1"])).json()) as Results;
    await quota.giveBack("acme", NOW);
    const again = (await (await postBatch(harness, [sms()], ["b-1"])).json()) as Results;

    // Assess
    expect([refused.results[0]?.status, again.results[0]?.status, again.results[0]?.replayed]).toEqual([429, 202, undefined]);
  });
});
