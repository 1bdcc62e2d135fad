import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isWellFormed } from "@herald/contracts";
import { anIngestApp } from "./harness";

/*
 * Property tests of the send routes through app.request() (no network): whatever the body, the
 * answer is a 2xx or a 4xx problem document, never a 5xx; a refused request records and queues
 * nothing; and what is accepted can be stored and queued: every string in the record and the
 * envelopes is well-formed, as DynamoDB and SQS require (a lone surrogate they refuse is what
 * made a subject of "\ud800" answer 500 against the real services). fast-check prints the seed
 * and the shrunk counterexample of a failure; `seed` in the options replays it.
 */

const RUNS = 300;

/** Text a client could send: any code units (lone surrogates too), and pieces of near-valid values. */
const codeUnits = fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 24 }).map((codes) => String.fromCharCode(...codes));
const pieces = fc
  .array(
    fc.constantFrom(
      "a", " ", ",", "@", "+", "1", "0", ".", "-", "(", ")", "\t", "\r", "\n", "\r\n", "\u0000", "\u007f", "\u0085", "\u2028",
      "\uD800", "\uDFFF", "\uD83D", "\uDE00", "\u202E", "\u2066", "\u200B", "\u200C", "\u200D", "\u2060", "\uFEFF", "é", "👩\u200D💻",
      "alice@example.com", "example.com", "+447911000001", "+1900", "+882", "2026-11-23T10:05:00Z", "T", "Z", "%", "\\", '"', "<", "True",
    ),
    { maxLength: 12 },
  )
  .map((parts) => parts.join(""));
/** Ordinary text with a lone surrogate somewhere: the input of the original 500, made likely. */
const lone = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));
const withLone = fc.tuple(fc.string({ maxLength: 8 }), lone, fc.string({ maxLength: 8 })).map((parts) => parts.join(""));
const text = fc.oneof(fc.string({ unit: "binary", maxLength: 24 }), codeUnits, pieces, withLone);
const value: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: text },
  fc.constant(null),
  fc.boolean(),
  fc.oneof(fc.integer(), fc.double()),
  fc.array(text, { maxLength: 4 }),
  fc.dictionary(text, text, { maxKeys: 3 }),
  fc.jsonValue({ maxDepth: 2 }),
);

const EMAIL = { channel: "email", to: "alice@example.com", subject: "Your receipt", text: "Thanks for your order." };
const SMS = { channel: "sms", to: "+447911000001", text: "Your code is 123456" };
const EMAIL_FIELDS = ["channel", "to", "cc", "bcc", "reply_to", "from", "subject", "html", "text", "store_secure", "send_at", "metadata", "priority"];
const SMS_FIELDS = ["channel", "to", "text", "store_secure", "send_at", "metadata", "subject"];

/** A valid message with one field set to anything (metadata values too). */
const oneFieldOff = (base: Record<string, unknown>, fields: string[]) =>
  fc.oneof(
    fc.tuple(fc.constantFrom(...fields), value).map(([field, v]) => ({ ...base, [field]: v })),
    fc.tuple(text, text).map(([k, v]) => ({ ...base, metadata: { [k]: v } })),
  );

/** Any JSON-ish body: anything at all, or an object of the known fields with any values. */
const anyBody = fc.oneof(
  value,
  fc.record(Object.fromEntries([...new Set([...EMAIL_FIELDS, ...SMS_FIELDS])].map((f) => [f, value])), { requiredKeys: [] }),
);

/** Every string anywhere in a value. */
function strings(v: unknown): string[] {
  if (typeof v === "string") return [v];
  if (Array.isArray(v)) return v.flatMap(strings);
  if (v && typeof v === "object") return Object.entries(v).flatMap(([k, x]) => [k, ...strings(x)]);
  return [];
}

type Harness = Awaited<ReturnType<typeof anIngestApp>>;

/** The property, for one request: checked against what the harness recorded and queued. */
async function answersSafely(harness: Harness, request: () => Response | Promise<Response>, accepted: (status: number) => boolean) {
  const records = harness.store.records.size;
  const sent = harness.queue.sent.length;
  const response = await request();
  const status = response.status;
  expect(status, await response.clone().text()).toBeLessThan(500);
  if (status >= 400) {
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(harness.store.records.size).toBe(records);
    expect(harness.queue.sent.length).toBe(sent);
  } else {
    expect(accepted(status)).toBe(true);
    const stored = [...harness.store.records.values()].slice(records);
    const queued = harness.queue.sent.slice(sent).map((s) => s.envelope);
    expect(strings([stored, queued]).filter((s) => !isWellFormed(s))).toEqual([]);
  }
}

describe("POST /v1/messages with a lone surrogate (issue 13, item 7)", () => {
  it.each([
    ["subject", { ...EMAIL, subject: "\uD800" }],
    ["text", { ...EMAIL, text: "Thanks \uDC00" }],
    ["html", { ...EMAIL, html: "<p>\uD83D</p>" }],
    ["metadata.order", { ...EMAIL, metadata: { order: "A-\uD800" } }],
    ["text", { ...SMS, text: "\uDE00 code" }],
  ])("answers 400 naming %s, and records and queues nothing", async (path, body) => {
    // Prepare
    const harness = await anIngestApp();

    // Act
    const response = await harness.post(body);

    // Assess
    expect(response.status).toBe(400);
    expect(((await response.json()) as { errors: { path: string }[] }).errors.map((e) => e.path)).toEqual([path]);
    expect(harness.store.records.size).toBe(0);
    expect(harness.queue.sent).toEqual([]);
  });
});

describe("POST /v1/messages, for any body", () => {
  it("never answers 5xx, records and queues nothing when it refuses, and accepts only what can be stored", async () => {
    // Prepare
    const harness = await anIngestApp();
    const body = fc.oneof(oneFieldOff(EMAIL, EMAIL_FIELDS), oneFieldOff(SMS, SMS_FIELDS), anyBody);

    // Act, Assess
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        await answersSafely(harness, () => harness.post(JSON.stringify(b) ?? "null"), (s) => s === 202);
      }),
      { numRuns: RUNS },
    );
  });

  it("never answers 5xx for a raw body or an Idempotency-Key of any text", async () => {
    // Prepare
    const harness = await anIngestApp();
    const raw = fc.oneof(text, fc.jsonValue().map((v) => JSON.stringify(v)), codeUnits.map((s) => `{"channel":"email","subject":"${s}"}`));
    const header = fc.string({ unit: "binary-ascii", maxLength: 300 }).map((s) => s.replace(/[\r\n\0]/g, "").trim());

    // Act, Assess
    await fc.assert(
      fc.asyncProperty(raw, fc.option(header), async (b, key) => {
        await answersSafely(harness, () => harness.post(b, key === null ? {} : { "idempotency-key": key }), (s) => s === 202);
      }),
      { numRuns: RUNS },
    );
  });
});

describe("POST /v1/messages/batch, for any items", () => {
  it("never answers 5xx, and records exactly the items it answers 202", async () => {
    // Prepare
    const harness = await anIngestApp();
    const item = fc.record({ message: fc.oneof(oneFieldOff(EMAIL, EMAIL_FIELDS), oneFieldOff(SMS, SMS_FIELDS), anyBody) });
    const batch = fc.oneof(
      { weight: 4, arbitrary: fc.array(item, { minLength: 1, maxLength: 5 }).map((items) => ({ items })) },
      anyBody.map((b) => ({ items: b })),
      anyBody,
    );

    // Act, Assess
    await fc.assert(
      fc.asyncProperty(batch, async (b) => {
        const records = harness.store.records.size;
        const response = await harness.app.request("/v1/messages/batch", {
          method: "POST",
          headers: { "content-type": "application/json", "x-api-key": harness.key },
          body: JSON.stringify(b),
        });
        expect(response.status).toBeLessThan(500);
        if (response.status !== 200) {
          expect(harness.store.records.size).toBe(records);
          return;
        }
        const { results } = (await response.json()) as { results: { status: number }[] };
        expect(results.every((r) => r.status < 500)).toBe(true);
        expect(harness.store.records.size - records).toBe(results.filter((r) => r.status === 202).length);
        expect(strings([...harness.store.records.values()].slice(records)).filter((s) => !isWellFormed(s))).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });
});

describe("POST /msg (legacy), for any parameters", () => {
  const LEGACY = { msg_id: "alice@example.com", msg: "Thanks for your order.", subject: "Your receipt" };
  const PARAMS = ["msg_id", "msg", "subject", "store_secure", "other"];
  const params = fc.oneof(
    fc.tuple(fc.constantFrom(...PARAMS), value).map(([name, v]) => ({ ...LEGACY, [name]: v })),
    fc.record(Object.fromEntries(PARAMS.map((p) => [p, value])), { requiredKeys: [] }),
  );
  /** Query strings as clients write them, including broken and overlong percent-encoding. */
  const percent = fc.constantFrom("%", "%Z", "%ZZ", "%ED%A0%80", "%C0%AF", "%00", "%0D%0A", "%E2%80%AE", "%FF", "%EF%BB%BF", "+", "&", "=", "a");
  const rawQuery = fc
    .tuple(fc.constantFrom(...PARAMS), fc.array(fc.oneof(percent, fc.string({ unit: "binary", maxLength: 12 }).map(encodeURIComponent)), { maxLength: 6 }))
    .map(([name, parts]) => `${new URLSearchParams(LEGACY).toString()}&${name}=${parts.join("")}`);

  it("never answers 5xx for a JSON or form body, and records nothing when it refuses", async () => {
    // Prepare
    const harness = await anIngestApp();
    const asForm = (p: Record<string, unknown>) =>
      new URLSearchParams(Object.entries(p).map(([k, v]): [string, string] => [k, typeof v === "string" ? v : (JSON.stringify(v) ?? "")])).toString();

    // Act, Assess
    await fc.assert(
      fc.asyncProperty(params, fc.boolean(), async (p, form) => {
        await answersSafely(
          harness,
          () =>
            harness.app.request("/msg", {
              method: "POST",
              headers: { "content-type": form ? "application/x-www-form-urlencoded" : "application/json", "x-api-key": harness.key },
              body: form ? asForm(p) : JSON.stringify(p),
            }),
          (s) => s === 201,
        );
      }),
      { numRuns: RUNS },
    );
  });

  it("never answers 5xx for a query string of any bytes", async () => {
    // Prepare
    const harness = await anIngestApp();

    // Act, Assess
    await fc.assert(
      fc.asyncProperty(rawQuery, async (query) => {
        await answersSafely(harness, () => harness.app.request(`/msg?${query}`, { method: "POST", headers: { "x-api-key": harness.key } }), (s) => s === 201);
      }),
      { numRuns: RUNS },
    );
  });
});
