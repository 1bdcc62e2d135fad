import type { AddressInfo } from "node:net";
import { serve, type ServerType } from "@hono/node-server";
import { DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "@herald/auth";
import { DynamoApiKeyStore } from "@herald/auth/dynamo";
import { ALL_ROLES, MAX_BODY_BYTES } from "@herald/contracts";
import { provision, startMoto, useEmulatorEnv, type Emulator, type Resources } from "@herald/testing";
import { createApp } from "../../src/app";
import { loadConfig } from "../../src/config";
import { buildDeps } from "../../src/deps";

/*
 * Fault test: a corpus of hostile and malformed requests against the real HTTP server and the
 * emulator. Every one must get a 4xx problem+json (never a 5xx), and nothing may be recorded or
 * queued.
 */

type Case = { name: string; body: string | Uint8Array; contentType?: string; headers?: Record<string, string>; path?: string };

const email = { channel: "email", to: "alice@example.com", subject: "Hi", text: "Body" };
const sms = { channel: "sms", to: "+14155552671", text: "Body" };
const json = (value: unknown) => JSON.stringify(value);

function corpus(): Case[] {
  const cases: Case[] = [];
  const add = (name: string, value: unknown, extra: Partial<Case> = {}) => cases.push({ name, body: typeof value === "string" ? value : json(value), ...extra });

  // CRLF and header injection in every header-bound field
  const injections = ["\r\nBcc: victim@evil.example", "\nX-Injected: 1", "\r", "\u0000", "\u2028Bcc: x@evil.example", "\u0085X: 1"];
  for (const inj of injections) {
    add(`subject ${json(inj)}`, { ...email, subject: `Hi${inj}` });
    add(`to ${json(inj)}`, { ...email, to: `alice@example.com${inj}` });
    add(`cc ${json(inj)}`, { ...email, cc: [`carol@example.com${inj}`] });
    add(`bcc ${json(inj)}`, { ...email, bcc: `dave@example.com${inj}` });
    add(`reply_to ${json(inj)}`, { ...email, reply_to: `r@example.com${inj}` });
    add(`from ${json(inj)}`, { ...email, from: `noreply@herald.test${inj}` });
    add(`metadata value ${json(inj)}`, { ...email, metadata: { k: `v${inj}` } });
    add(`sms to ${json(inj)}`, { ...sms, to: `+14155552671${inj}` });
  }
  // lone UTF-16 surrogates (JSON's \ud800 escape), which DynamoDB and SQS refuse: once a 500
  for (const lone of ["\uD800", "\uDFFF", "x\uD83D", "\uDE00y"]) {
    add(`subject ${json(lone)}`, { ...email, subject: lone });
    add(`text ${json(lone)}`, { ...email, text: lone });
    add(`html ${json(lone)}`, { ...email, html: lone });
    add(`metadata value ${json(lone)}`, { ...email, metadata: { k: lone } });
    add(`sms text ${json(lone)}`, { ...sms, text: lone });
    add(`legacy msg ${json(lone)}`, { msg_id: "alice@example.com", msg: lone, subject: "Hi" }, { path: "/msg" });
  }
  // invalid and look-alike addresses
  const badAddresses = [
    "alice", "alice@", "@example.com", "alice@example", "alice@@example.com", "alice example@example.com", "alice@exa mple.com",
    "аlice@example.com", "alice＠example.com", "alice@exаmple.com", "al\u200bice@example.com", "\u202ealice@example.com",
    "alice@example.com,", ",", "", " ", "a".repeat(250) + "@example.com", "alice@-example.com", "alice@example..com", ".alice@example.com",
    "<alice@example.com>", "Alice <alice@example.com>", "alice@[127.0.0.1]", "alice@localhost", "\"alice\"@example.com",
  ];
  for (const address of badAddresses) add(`address ${json(address)}`, { ...email, to: address });
  // invalid phone numbers
  for (const number of ["14155552671", "+1", "+1555", "+1415555267a", "+14155552671 ext 3", "tel:+14155552671", "+0000000000", "++14155552671", "+١٤١٥٥٥٥٢٦٧١", "+14155552671\n", "", "+" + "9".repeat(40)]) {
    add(`phone ${json(number)}`, { ...sms, to: number });
  }
  // wrong types, field by field
  const wrongs: unknown[] = [1, -1, 1.5, true, null, [], {}, [1], { a: 1 }];
  for (const field of ["channel", "to", "subject", "text", "html", "store_secure", "send_at", "metadata", "cc", "from"]) {
    for (const wrong of wrongs) {
      if (field === "store_secure" && typeof wrong === "boolean") continue;
      if (field === "metadata" && json(wrong) === "{}") continue;
      add(`${field}=${json(wrong)}`, { ...email, [field]: wrong });
    }
  }
  // structure
  add("unknown field", { ...email, priority: "high" });
  add("__proto__ key", `{"channel":"email","to":"a@example.com","subject":"s","text":"t","__proto__":{"admin":true}}`);
  add("constructor key", { ...email, constructor: { prototype: { admin: true } } });
  add("duplicate keys", `{"channel":"email","channel":"fax","to":"a@example.com","subject":"s","text":"t"}`);
  add("channel in capitals", { ...email, channel: "EMAIL" });
  add("no channel", { to: "a@example.com", subject: "s", text: "t" });
  add("sms fields on email", { ...email, to: "+14155552671" });
  add("email fields on sms", { ...sms, subject: "x" });
  add("too many metadata entries", { ...email, metadata: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, "v"])) });
  add("metadata key with a space", { ...email, metadata: { "a b": "v" } });
  add("51 recipients", { ...email, to: Array.from({ length: 51 }, (_, i) => `u${i}@example.com`) });
  add("send_at garbage", { ...email, send_at: "tomorrow" });
  add("send_at a year ahead", { ...email, send_at: "2099-01-01T00:00:00Z" });
  add("send_at year 10000", { ...email, send_at: "+010000-01-01T00:00:00Z" });
  add("text over 1600 for sms", { ...sms, text: "x".repeat(1601) });
  add("subject over 998", { ...email, subject: "x".repeat(999) });
  // not JSON, or not the JSON we take
  for (const raw of ["", "null", "true", "42", "\"email\"", "[]", "[{}]", "{", "}", "{\"channel\":", "{'channel':'email'}", "{\"a\":NaN}", "{\"a\":Infinity}", "{\"a\":1e999999}", "\u0000", "<xml/>", "channel=email&to=a"]) {
    add(`raw ${json(raw)}`, raw);
  }
  add("deeply nested arrays", "[".repeat(50_000) + "]".repeat(50_000));
  add("deeply nested objects", "{\"a\":".repeat(20_000) + "1" + "}".repeat(20_000));
  add("oversize body", json({ ...email, text: "x".repeat(MAX_BODY_BYTES + 1) }));
  // encodings
  const utf16 = Buffer.from(`\ufeff${json(email)}`, "utf16le");
  cases.push({ name: "UTF-16 body", body: new Uint8Array(utf16) });
  cases.push({ name: "UTF-16 declared", body: json(email), contentType: "application/json; charset=utf-16" });
  cases.push({ name: "latin1 declared", body: json(email), contentType: "application/json; charset=iso-8859-1" });
  cases.push({ name: "invalid UTF-8 bytes", body: new Uint8Array([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d]) });
  cases.push({ name: "overlong UTF-8 slash", body: new Uint8Array([...Buffer.from('{"channel":"email","subject":"'), 0xc0, 0xaf, ...Buffer.from('"}')]) });
  for (const type of ["text/plain", "text/json", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/jsonp", "", "application/json, text/plain"]) {
    cases.push({ name: `content-type ${json(type)}`, body: json(email), contentType: type });
  }
  // the batch route
  add("batch with no items", { items: [] }, { path: "/v1/messages/batch" });
  add("batch of 101", { items: Array.from({ length: 101 }, () => ({ message: email })) }, { path: "/v1/messages/batch" });
  add("batch not an array", { items: "all" }, { path: "/v1/messages/batch" });
  // idempotency keys
  for (const key of ["a".repeat(256), "with space", "tab\tkey", "ümlaut"]) {
    add(`idempotency key ${json(key.slice(0, 20))}`, email, { headers: { "idempotency-key": key } });
  }
  return cases;
}

let moto: Emulator;
let resources: Resources;
let server: ServerType;
let url: string;
let apiKey: string;

beforeAll(async () => {
  moto = await startMoto();
  useEmulatorEnv(moto.endpoint);
  resources = await provision({ prefix: "hostile-it", senders: ["noreply@herald.test"] });
  apiKey = (await createApiKey(new DynamoApiKeyStore(new DynamoDBClient({}), resources.tableName), { tenant: "acme", roles: [...ALL_ROLES] })).key;
  const app = createApp(
    buildDeps(
      loadConfig({
        HERALD_TABLE_NAME: resources.tableName,
        HERALD_EMAIL_QUEUE_URL: resources.emailQueueUrl,
        HERALD_SMS_QUEUE_URL: resources.smsQueueUrl,
        HERALD_SECURE_QUEUE_URL: resources.secureQueueUrl,
        HERALD_EMAIL_FROM: "noreply@herald.test",
        HERALD_LOG_LEVEL: "SILENT",
        HERALD_AUDIT_HMAC_KEY: "integration-test-audit-key-of-32-chars",
      }),
    ),
  );
  await new Promise<void>((resolve) => {
    server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, (info: AddressInfo) => {
      url = `http://127.0.0.1:${info.port}`;
      resolve();
    });
  });
});

afterAll(async () => {
  server.close();
  await moto.stop();
});

describe("hostile and malformed requests", () => {
  it("answer 4xx problem+json every time, never 5xx, and nothing is recorded or queued", async () => {
    // Prepare
    const cases = corpus();
    expect(cases.length).toBeGreaterThanOrEqual(150);
    process.stdout.write(`hostile corpus: ${cases.length} requests\n`);

    // Act
    const outcomes = [];
    for (const c of cases) {
      const response = await fetch(`${url}${c.path ?? "/v1/messages"}`, {
        method: "POST",
        headers: { "content-type": c.contentType ?? "application/json", "x-api-key": apiKey, ...c.headers },
        body: c.body,
      });
      outcomes.push({ name: c.name, status: response.status, type: response.headers.get("content-type"), body: await response.text() });
    }

    // Assess
    const wrong = outcomes.filter((o) => o.status < 400 || o.status >= 500 || o.type !== "application/problem+json");
    expect(wrong.map((o) => `${o.name}: ${o.status} ${o.body.slice(0, 120)}`)).toEqual([]);
    for (const queueUrl of [resources.emailQueueUrl, resources.smsQueueUrl, resources.secureQueueUrl]) {
      const { Attributes } = await new SQSClient({}).send(
        new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesDelayed"] }),
      );
      expect(Attributes).toMatchObject({ ApproximateNumberOfMessages: "0", ApproximateNumberOfMessagesDelayed: "0" });
    }
    const { Items = [] } = await new DynamoDBClient({}).send(new ScanCommand({ TableName: resources.tableName }));
    expect(Items.filter((item) => !item.pk?.S?.startsWith("APIKEY"))).toEqual([]);
  });
});
