import { describe, expect, it, vi } from "vitest";
import { createLogger } from "@herald/platform";
import { Roles } from "@herald/contracts";
import { MAX_BODY_BYTES } from "@herald/contracts";
import { anIngestApp, NOW } from "./harness";

type Problem = { type: string; title: string; status: number; code: string; errors?: { path: string; message: string }[] };

const valid = { channel: "email", to: "alice@example.com", subject: "Your receipt", text: "Thanks" };

async function expectProblem(response: Response, status: number, path?: string): Promise<Problem> {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  const body = (await response.json()) as Problem;
  expect(body.status).toBe(status);
  if (path !== undefined) expect(body.errors?.map((e) => e.path)).toContain(path);
  return body;
}

describe("POST /v1/messages", () => {
  it("records the message as queued and enqueues an envelope when the body is valid", async () => {
    // Prepare
    const { post, store, queue } = await anIngestApp();

    // Act
    const response = await post({ ...valid, to: "Alice@Example.com, bob@example.com", cc: ["alice@example.com", "carol@example.com"] });

    // Assess
    expect(response.status).toBe(202);
    const body = (await response.json()) as { id: string; status: string; channel: string; created_at: string };
    expect(body).toEqual({ id: body.id, status: "queued", channel: "email", created_at: NOW.toISOString() });
    expect(response.headers.get("location")).toBe(`/v1/messages/${body.id}`);
    const record = await store.get(body.id);
    expect(record?.status).toBe("queued");
    expect(record?.tenant).toBe("acme");
    expect(record?.principal).toMatch(/^key:/);
    expect(record?.recipients).toEqual(["alice@example.com", "bob@example.com", "carol@example.com"]);
    expect(record?.content).toMatchObject({ from: "noreply@herald.local", to: ["Alice@Example.com", "bob@example.com"], cc: ["carol@example.com"] });
    expect(queue.sent).toEqual([
      { queue: "email", envelope: { v: 1, id: body.id, tenant: "acme", principal: record?.principal, channel: "email" }, options: { delaySeconds: 0 } },
    ]);
  });

  it("accepts a configured sender from an allowed domain", async () => {
    const { post, store } = await anIngestApp();
    const response = await post({ ...valid, from: "billing@acme.example" });
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as { id: string };
    expect((await store.get(id))?.content).toMatchObject({ from: "billing@acme.example" });
  });

  it("delays delivery until send_at when it is within 15 minutes", async () => {
    const { post, queue } = await anIngestApp();
    const response = await post({ ...valid, send_at: new Date(NOW.getTime() + 600_000).toISOString() });
    expect(response.status).toBe(202);
    expect(queue.sent[0]?.options.delaySeconds).toBe(600);
  });

  it("answers 503 and marks the record failed when the queue is unavailable", async () => {
    // Prepare
    const { post, store, queue } = await anIngestApp();
    queue.failWith = new Error("connect ECONNREFUSED");

    // Act
    const response = await post(valid);

    // Assess
    const problem = await expectProblem(response, 503);
    expect(problem.code).toBe("queue.unavailable");
    const [record] = [...store.records.values()];
    expect(record?.status).toBe("failed");
    expect(record?.failure?.code).toBe("queue.enqueue_failed");
  });

  describe("bad input gets a 4xx problem naming the field, and nothing is written or queued", () => {
    const cases: { name: string; body: unknown; status: number; path?: string; headers?: Record<string, string> }[] = [
      { name: "malformed JSON", body: '{"channel":"email",', status: 400, path: "body" },
      { name: "a JSON array", body: "[]", status: 400 },
      { name: "an unknown field", body: { ...valid, priority: "high" }, status: 400, path: "priority" },
      { name: "an unknown channel", body: { ...valid, channel: "fax" }, status: 400, path: "channel" },
      { name: "a subject with CR LF", body: { ...valid, subject: "Hi\r\nBcc: victim@example.com" }, status: 400, path: "subject" },
      { name: "a subject with a bare LF", body: { ...valid, subject: "Hi\nthere" }, status: 400, path: "subject" },
      { name: "an invalid address", body: { ...valid, to: "not-an-address" }, status: 400, path: "to.0" },
      { name: "an address with CRLF", body: { ...valid, to: "a@example.com\r\nBcc: b@example.com" }, status: 400, path: "to.0" },
      { name: "a Unicode look-alike address", body: { ...valid, to: "аlice@example.com" }, status: 400, path: "to.0" },
      { name: "an invalid cc", body: { ...valid, cc: ["ok@example.com", "bad@"] }, status: 400, path: "cc.1" },
      {
        name: "more than 50 recipients",
        body: { ...valid, to: Array.from({ length: 30 }, (_, i) => `t${i}@example.com`), bcc: Array.from({ length: 21 }, (_, i) => `b${i}@example.com`) },
        status: 400,
        path: "to",
      },
      { name: "no html or text", body: { channel: "email", to: "a@example.com", subject: "s" }, status: 400, path: "text" },
      { name: "a missing subject", body: { channel: "email", to: "a@example.com", text: "t" }, status: 400, path: "subject" },
      { name: "a wrong type", body: { ...valid, store_secure: "yes" }, status: 400, path: "store_secure" },
      { name: "send_at without a time zone", body: { ...valid, send_at: "2026-11-23T10:05:00" }, status: 400, path: "send_at" },
      { name: "send_at too far ahead", body: { ...valid, send_at: new Date(NOW.getTime() + 3_600_000).toISOString() }, status: 400, path: "send_at" },
      { name: "a sender that is not configured", body: { ...valid, from: "ceo@elsewhere.example" }, status: 400, path: "from" },
      { name: "a wrong content type", body: JSON.stringify(valid), status: 415, path: "content-type", headers: { "content-type": "text/plain" } },
      { name: "a form body", body: "channel=email", status: 415, path: "content-type", headers: { "content-type": "application/x-www-form-urlencoded" } },
      { name: "an oversize body", body: { ...valid, text: "x".repeat(MAX_BODY_BYTES) }, status: 413, path: "body" },
      {
        // the length a client declares is refused before a byte of the body is read
        name: "a body declared longer than the limit",
        body: JSON.stringify(valid),
        status: 413,
        path: "body",
        headers: { "content-type": "application/json", "content-length": String(MAX_BODY_BYTES + 64) },
      },
    ];

    for (const c of cases) {
      it(`rejects ${c.name}`, async () => {
        // Prepare
        const { post, store, queue } = await anIngestApp();

        // Act
        const response = await post(c.body, c.headers);

        // Assess
        await expectProblem(response, c.status, c.path);
        expect(store.records.size).toBe(0);
        expect(queue.sent).toHaveLength(0);
      });
    }
  });
});

describe("authentication and roles", () => {
  it("answers 401 without credentials", async () => {
    const { app, queue } = await anIngestApp();
    const response = await app.request("/v1/messages", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(valid),
    });
    await expectProblem(response, 401);
    expect(response.headers.get("www-authenticate")).toContain("Bearer");
    expect(queue.sent).toHaveLength(0);
  });

  it("accepts the key as Authorization: Bearer", async () => {
    const { app, key } = await anIngestApp();
    const response = await app.request("/v1/messages", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify(valid),
    });
    expect(response.status).toBe(202);
  });

  it("answers 401 for an unknown key and for a revoked one", async () => {
    const { post, apiKeys, key } = await anIngestApp();
    await expectProblem(await post(valid, {}, "hk_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), 401);
    const [record] = await apiKeys.list();
    await apiKeys.revoke(record?.key_id ?? "", new Date());
    await expectProblem(await post(valid, {}, key), 401);
  });

  it("answers 403 when the key lacks messages:send", async () => {
    const { post, keyFor, queue } = await anIngestApp();
    const readOnly = await keyFor([Roles.read]);
    const problem = await expectProblem(await post(valid, {}, readOnly), 403);
    expect(problem.code).toBe("auth.forbidden");
    expect(queue.sent).toHaveLength(0);
  });
});

describe("the access log of POST /v1/messages", () => {
  it("is one line per send, carrying the message's id and counts but no address or content", async () => {
    // Prepare
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger("ingest-test", "INFO");
    vi.spyOn(logger, "info").mockImplementation((message, ...extra) => {
      lines.push({ message, ...(extra[0] as object) });
    });
    const { post } = await anIngestApp({ logger });

    // Act
    const response = await post(valid);

    // Assess
    const { id } = (await response.json()) as { id: string };
    expect(lines).toEqual([
      { message: "request", messageId: id, channel: "email", recipients: 1, storeSecure: false, method: "POST", route: "/v1/messages", status: 202, ms: expect.any(Number) },
    ]);
    expect(JSON.stringify(lines)).not.toContain("@example.com");
  });
});
