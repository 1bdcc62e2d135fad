import { describe, expect, it } from "vitest";
import { Roles } from "@herald/contracts";
import { anIngestApp } from "./harness";

const email = (to: string, subject = "s") => ({ channel: "email", to, subject, text: "t" });

async function sendAll(post: (body: unknown) => Response | Promise<Response>, bodies: unknown[]): Promise<string[]> {
  const ids: string[] = [];
  for (const body of bodies) ids.push(((await (await post(body)).json()) as { id: string }).id);
  return ids;
}

describe("GET /v1/messages/{id}", () => {
  it("returns the message with its history and content", async () => {
    const { post, get } = await anIngestApp();
    const [id] = await sendAll(post, [email("alice@example.com", "Hello")]);
    const response = await get(`/v1/messages/${id}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      id,
      status: "queued",
      subject: "Hello",
      to: ["alice@example.com"],
      erased: false,
      history: [{ status: "queued" }],
    });
  });

  it("answers 404 for another tenant's message and for another principal's without read-all", async () => {
    // Prepare
    const { post, get, keyFor } = await anIngestApp();
    const [id] = await sendAll(post, [email("alice@example.com")]);
    const otherTenant = await keyFor([Roles.read, Roles.readAll], "globex");
    const samTenantOwnOnly = await keyFor([Roles.read], "acme", "someone-else");
    const sameTenantAll = await keyFor([Roles.readAll], "acme", "auditor");

    // Act + Assess
    expect((await get(`/v1/messages/${id}`, otherTenant)).status).toBe(404);
    expect((await get(`/v1/messages/${id}`, samTenantOwnOnly)).status).toBe(404);
    expect((await get(`/v1/messages/${id}`, sameTenantAll)).status).toBe(200);
  });

  it("answers 403 without a read role and 400 for an id that is not a UUID", async () => {
    const { get, keyFor } = await anIngestApp();
    const sendOnly = await keyFor([Roles.send]);
    expect((await get("/v1/messages/00000000-0000-4000-8000-000000000001", sendOnly)).status).toBe(403);
    const response = await get("/v1/messages/not-an-id");
    expect(response.status).toBe(400);
    expect(((await response.json()) as { errors: { path: string }[] }).errors[0]?.path).toBe("id");
  });

  it("answers 404 problem+json for an unknown route", async () => {
    const { get } = await anIngestApp();
    const response = await get("/v2/nothing");
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
  });
});

describe("GET /v1/messages?recipient=", () => {
  it("lists a recipient's messages newest first with a cursor", async () => {
    // Prepare
    const { post, get } = await anIngestApp();
    const ids = await sendAll(post, [email("bob@example.com", "1"), email("bob@example.com", "2"), email("bob@example.com", "3"), email("other@example.com")]);

    // Act
    const first = (await (await get("/v1/messages?recipient=Bob@Example.com&limit=2")).json()) as { items: { id: string }[]; next_cursor: string | null };
    const second = (await (await get(`/v1/messages?recipient=bob@example.com&limit=2&cursor=${first.next_cursor}`)).json()) as typeof first;

    // Assess: equal timestamps fall back to id order, which the harness issues ascending
    expect(first.items.map((m) => m.id)).toEqual([ids[2], ids[1]]);
    expect(second.items.map((m) => m.id)).toEqual([ids[0]]);
    expect(second.next_cursor).toBeNull();
  });

  it("rejects a bad limit, a bad recipient and a forged cursor with 400 naming the field", async () => {
    const { get } = await anIngestApp();
    for (const [query, path] of [
      ["recipient=a@example.com&limit=0", "limit"],
      ["recipient=a@example.com&limit=abc", "limit"],
      ["recipient=a@example.com&limit=101", "limit"],
      ["recipient=not-an-address", "recipient"],
      ["limit=10", "recipient"],
      ["recipient=a@example.com&cursor=Zm9v", "cursor"],
    ] as const) {
      const response = await get(`/v1/messages?${query}`);
      expect(response.status, query).toBe(400);
      expect(((await response.json()) as { errors: { path: string }[] }).errors.map((e) => e.path), query).toContain(path);
    }
  });

  it("shows only the caller's own messages with messages:read, the tenant's with read-all", async () => {
    const { post, get, keyFor } = await anIngestApp();
    const mine = await keyFor([Roles.send, Roles.read], "acme", "me");
    const theirs = await keyFor([Roles.send, Roles.read], "acme", "them");
    await post(email("dana@example.com"), {}, mine);
    await post(email("dana@example.com"), {}, theirs);
    const list = async (key: string) =>
      ((await (await get("/v1/messages?recipient=dana@example.com", key)).json()) as { items: { principal: string }[] }).items.map((i) => i.principal);
    // API keys' principals are key:<name> (packages/auth apiKeyPrincipal)
    expect(await list(mine)).toEqual(["key:me"]);
    expect((await list(await keyFor([Roles.readAll], "acme"))).sort()).toEqual(["key:me", "key:them"]);
    expect(await list(await keyFor([Roles.readAll], "globex"))).toEqual([]);
  });
});

describe("GET /openapi.json and /health", () => {
  it("serves an OpenAPI 3.1 document generated from the schemas", async () => {
    const { app } = await anIngestApp();
    const doc = (await (await app.request("/openapi.json")).json()) as { openapi: string; paths: Record<string, unknown>; components: { schemas: Record<string, unknown> } };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths).sort()).toEqual([
      "/health",
      "/msg",
      "/v1/messages",
      "/v1/messages/batch",
      "/v1/messages/{id}",
      "/v1/messages/{id}/decrypt",
      "/v1/recipients/erase",
      "/v1/recipients/{recipient}",
      "/v1/suppressions",
      "/v1/suppressions/{address}",
      "/v1/webhooks",
      "/v1/webhooks/{id}",
      "/v1/webhooks/{id}/deliveries",
      "/v1/webhooks/{id}/deliveries/{delivery}/retry",
      "/v1/webhooks/{id}/rotate-secret",
    ]);
    expect(doc.components.schemas).toHaveProperty("SendEmail");
    expect(doc.components.schemas).toHaveProperty("Suppression");
    expect(doc.components.schemas).toHaveProperty("WebhookWithSecret");
    expect(doc.components.schemas).toHaveProperty("Problem");
  });

  it("answers /health without credentials", async () => {
    const { app } = await anIngestApp();
    const response = await app.request("/health");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
  });
});
