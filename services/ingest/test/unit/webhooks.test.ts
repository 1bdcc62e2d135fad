import { describe, expect, it, vi } from "vitest";
import { Roles, type Role, type WebhookEvent } from "@herald/contracts";
import { createLogger } from "@herald/platform";
import { deliveryIdFor, eventIdFor, openSecret, ROTATION_OVERLAP_MS, type DeliveryStart } from "@herald/webhooks";
import { anIngestApp, NOW } from "./harness";

type Harness = Awaited<ReturnType<typeof anIngestApp>>;
type Json = Record<string, unknown>;

const registration = { url: "https://hooks.example.com/herald?token=sekrit", event_types: ["message.sent", "message.delivered"], description: "orders" };

/** A harness with helpers that call the webhook routes as one caller (default: every role, tenant acme). */
async function aWebhooksApp(options: Parameters<typeof anIngestApp>[0] = {}) {
  const harness = await anIngestApp(options);
  const call = async (method: string, path: string, body?: unknown, key = harness.key): Promise<Response> =>
    harness.app.request(path, {
      method,
      headers: { "x-api-key": key, ...(body !== undefined && { "content-type": "application/json" }) },
      ...(body !== undefined && { body: typeof body === "string" ? body : JSON.stringify(body) }),
    });
  const register = async (body: unknown = registration, key = harness.key) => {
    const response = await call("POST", "/v1/webhooks", body, key);
    return { response, body: (await response.json()) as Json };
  };
  return { ...harness, call, register };
}

function anEvent(messageId: string): WebhookEvent {
  return {
    type: "message.sent",
    timestamp: NOW.toISOString(),
    data: { message_id: messageId, status: "sent", channel: "email", created_at: NOW.toISOString(), recipients: [] },
  };
}

/** A delivery of the endpoint `seconds` after NOW, as the webhook consumer would have started it. */
async function aDelivery(harness: Harness, webhookId: string, seconds: number, tenant = "acme"): Promise<DeliveryStart> {
  const at = new Date(NOW.getTime() + seconds * 1000);
  const eventId = eventIdFor(`change-${seconds}`);
  const messageId = `11111111-1111-4111-8111-${String(seconds).padStart(12, "0")}`;
  const start: DeliveryStart = {
    id: deliveryIdFor(eventId, webhookId, at),
    tenant,
    webhook_id: webhookId,
    event_id: eventId,
    type: "message.sent",
    message_id: messageId,
    created_at: at.toISOString(),
    event: anEvent(messageId),
  };
  await harness.webhooks.startDelivery(start);
  return start;
}

describe("POST /v1/webhooks", () => {
  it("registers an enabled endpoint and shows its secret once, sealed at rest", async () => {
    // Prepare
    const { register, webhooks, cipher } = await aWebhooksApp();

    // Act
    const { response, body } = await register();

    // Assess
    expect(response.status).toBe(201);
    expect(body).toEqual({
      id: expect.stringMatching(/^wh_[0-9a-f]{24}$/),
      url: registration.url,
      event_types: registration.event_types,
      description: "orders",
      include_recipients: false,
      enabled: true,
      created_at: NOW.toISOString(),
      updated_at: NOW.toISOString(),
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
    });
    const stored = await webhooks.get("acme", String(body.id));
    expect(stored).toMatchObject({ tenant: "acme", principal: expect.stringMatching(/^key:/) });
    expect(stored?.secrets).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(String(body.secret).slice(6));
    expect(await openSecret(cipher, "acme", String(body.id), stored!.secrets[0]!)).toBe(body.secret);
  });

  it("refuses a URL the policy refuses, naming the url field", async () => {
    // Prepare
    const { register, webhooks } = await aWebhooksApp();
    const refused = ["http://hooks.example.com/herald", "https://10.0.0.1/hook", "https://user:pass@hooks.example.com/", "http://127.0.0.1:9000/hook"];

    for (const url of refused) {
      // Act
      const { response, body } = await register({ ...registration, url });

      // Assess
      expect(response.status, url).toBe(400);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      expect(body.errors).toEqual([{ path: "url", message: expect.any(String) }]);
    }
    expect(webhooks.endpoints.size).toBe(0);
  });

  it("allows http to loopback when the policy does (the local stack)", async () => {
    const { register } = await aWebhooksApp({ webhooks: { urlPolicy: { allowLoopback: true } } });
    const { response } = await register({ ...registration, url: "http://127.0.0.1:9000/hook" });
    expect(response.status).toBe(201);
  });

  it("refuses unknown fields, a bad event type and a body that is not JSON, naming what is wrong", async () => {
    const { register } = await aWebhooksApp();
    const unknown = await register({ ...registration, tenant: "globex" });
    expect(unknown.response.status).toBe(400);
    expect(unknown.body.errors).toEqual([{ path: "tenant", message: "is not a known field" }]);
    const badType = await register({ ...registration, event_types: ["message.sending"] });
    expect(badType.response.status).toBe(400);
    expect(JSON.stringify(badType.body.errors)).toContain("event_types");
    const notJson = await register("{not json");
    expect(notJson.response.status).toBe(400);
    expect(notJson.body.errors).toEqual([{ path: "body", message: "is not valid JSON" }]);
  });

  it("answers 503 when no key is configured to seal secrets, and stores nothing", async () => {
    const { register, webhooks } = await aWebhooksApp({ webhooks: { cipher: undefined } });
    const { response, body } = await register();
    expect(response.status).toBe(503);
    expect(body.detail).toBe("webhooks are not configured");
    expect(webhooks.endpoints.size).toBe(0);
  });

  it("never logs the secret or the URL", async () => {
    // Prepare
    const logger = createLogger("ingest-test", "SILENT");
    const logged: unknown[] = [];
    for (const level of ["info", "warn", "error", "debug"] as const) vi.spyOn(logger, level).mockImplementation((...args: unknown[]) => void logged.push(args));
    const { register, call } = await aWebhooksApp({ logger });

    // Act
    const { body } = await register();
    const rotated = (await (await call("POST", `/v1/webhooks/${String(body.id)}/rotate-secret`)).json()) as Json;

    // Assess
    const text = JSON.stringify(logged);
    expect(text).toContain("webhook registered");
    expect(text).not.toContain(String(body.secret).slice(6));
    expect(text).not.toContain(String(rotated.secret).slice(6));
    expect(text).not.toContain("hooks.example.com");
    expect(text).not.toContain("sekrit");
  });
});

describe("GET /v1/webhooks and /v1/webhooks/{id}", () => {
  it("shows the endpoint without its secret, tenant or principal", async () => {
    // Prepare
    const { register, call } = await aWebhooksApp();
    const { body: created } = await register();
    const { secret: _secret, ...view } = created;

    // Act
    const one = await call("GET", `/v1/webhooks/${String(created.id)}`);
    const page = await call("GET", "/v1/webhooks");

    // Assess
    expect(one.status).toBe(200);
    expect(await one.json()).toEqual(view);
    expect(await page.json()).toEqual({ items: [view], next_cursor: null });
  });

  it("lists in pages with a cursor, and refuses a forged cursor or limit", async () => {
    // Prepare
    const { register, call } = await aWebhooksApp();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(String((await register()).body.id));
    ids.sort();

    // Act
    const first = (await (await call("GET", "/v1/webhooks?limit=2")).json()) as { items: Json[]; next_cursor: string };
    const second = (await (await call("GET", `/v1/webhooks?limit=2&cursor=${first.next_cursor}`)).json()) as { items: Json[]; next_cursor: null };

    // Assess
    expect(first.items.map((i) => i.id)).toEqual(ids.slice(0, 2));
    expect(second).toEqual({ items: [expect.objectContaining({ id: ids[2] })], next_cursor: null });
    const forged = await call("GET", "/v1/webhooks?cursor=bm9wZQ");
    expect(forged.status).toBe(400);
    expect(((await forged.json()) as Json).errors).toEqual([{ path: "cursor", message: "is not a cursor this API issued" }]);
    expect((await call("GET", "/v1/webhooks?limit=0")).status).toBe(400);
  });

  it("answers 404 for an unknown id and for a malformed one", async () => {
    const { call } = await aWebhooksApp();
    for (const id of ["wh_000000000000000000000000", "not-an-id", "wh_..%2F..", "x".repeat(300)]) {
      const response = await call("GET", `/v1/webhooks/${id}`);
      expect(response.status, id).toBe(404);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
    }
  });
});

describe("PATCH /v1/webhooks/{id}", () => {
  it("changes the fields given and stamps updated_at", async () => {
    // Prepare
    const later = new Date(NOW.getTime() + 60_000);
    const { register, call } = await aWebhooksApp({ now: later });
    const { body: created } = await register();

    // Act
    const response = await call("PATCH", `/v1/webhooks/${String(created.id)}`, { url: "https://new.example.com/hook", event_types: ["message.bounced"], include_recipients: true });

    // Assess
    expect(response.status).toBe(200);
    const body = (await response.json()) as Json;
    expect(body).toMatchObject({ url: "https://new.example.com/hook", event_types: ["message.bounced"], include_recipients: true, description: "orders" });
    expect(body).not.toHaveProperty("secret");
    expect((await (await call("GET", `/v1/webhooks/${String(created.id)}`)).json()) as Json).toEqual(body);
  });

  it("re-checks a new URL", async () => {
    const { register, call, webhooks } = await aWebhooksApp();
    const { body: created } = await register();
    const response = await call("PATCH", `/v1/webhooks/${String(created.id)}`, { url: "https://192.168.1.10/hook" });
    expect(response.status).toBe(400);
    expect(((await response.json()) as Json).errors).toEqual([{ path: "url", message: expect.any(String) }]);
    expect((await webhooks.get("acme", String(created.id)))?.url).toBe(registration.url);
  });

  it("disables by hand, and enabled true re-enables with the failure run cleared", async () => {
    // Prepare
    const { register, call, webhooks } = await aWebhooksApp();
    const { body: created } = await register();
    const id = String(created.id);
    await webhooks.recordFailure("acme", id, NOW, 1000);

    // Act
    const off = (await (await call("PATCH", `/v1/webhooks/${id}`, { enabled: false })).json()) as Json;
    const on = (await (await call("PATCH", `/v1/webhooks/${id}`, { enabled: true })).json()) as Json;

    // Assess
    expect(off).toMatchObject({ enabled: false, disabled_reason: "disabled by hand", disabled_at: NOW.toISOString() });
    expect(on).toMatchObject({ enabled: true });
    expect(on).not.toHaveProperty("disabled_reason");
    expect(on).not.toHaveProperty("failing_since");
  });

  it("refuses an empty change and unknown fields, and answers 404 for an unknown endpoint", async () => {
    const { register, call } = await aWebhooksApp();
    const { body: created } = await register();
    const empty = await call("PATCH", `/v1/webhooks/${String(created.id)}`, {});
    expect(empty.status).toBe(400);
    const unknown = await call("PATCH", `/v1/webhooks/${String(created.id)}`, { enabled: true, secret: "whsec_x" });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as Json).errors).toEqual([{ path: "secret", message: "is not a known field" }]);
    // an unknown field alone is that one error, not also "must change at least one field"
    const only = await call("PATCH", `/v1/webhooks/${String(created.id)}`, { secret: "whsec_x" });
    expect(((await only.json()) as Json).errors).toEqual([{ path: "secret", message: "is not a known field" }]);
    expect((await call("PATCH", "/v1/webhooks/wh_000000000000000000000000", { enabled: true })).status).toBe(404);
  });
});

describe("DELETE /v1/webhooks/{id}", () => {
  it("removes the endpoint once", async () => {
    const { register, call } = await aWebhooksApp();
    const { body: created } = await register();
    expect((await call("DELETE", `/v1/webhooks/${String(created.id)}`)).status).toBe(204);
    expect((await call("DELETE", `/v1/webhooks/${String(created.id)}`)).status).toBe(404);
    expect((await call("GET", `/v1/webhooks/${String(created.id)}`)).status).toBe(404);
  });
});

describe("POST /v1/webhooks/{id}/rotate-secret", () => {
  it("shows a new secret once; the old one keeps signing for 24 hours", async () => {
    // Prepare
    const { register, call, webhooks, cipher } = await aWebhooksApp();
    const { body: created } = await register();
    const id = String(created.id);

    // Act
    const response = await call("POST", `/v1/webhooks/${id}/rotate-secret`);

    // Assess
    expect(response.status).toBe(200);
    const body = (await response.json()) as Json;
    const expires = new Date(NOW.getTime() + ROTATION_OVERLAP_MS).toISOString();
    expect(body).toMatchObject({ id, previous_secret_expires_at: expires, secret: expect.stringMatching(/^whsec_/) });
    expect(body.secret).not.toBe(created.secret);
    const stored = await webhooks.get("acme", id);
    expect(stored?.secrets.map((s) => s.expires_at)).toEqual([undefined, expires]);
    expect(await openSecret(cipher, "acme", id, stored!.secrets[0]!)).toBe(body.secret);
    expect(await openSecret(cipher, "acme", id, stored!.secrets[1]!)).toBe(created.secret);
    const shown = (await (await call("GET", `/v1/webhooks/${id}`)).json()) as Json;
    expect(shown).toMatchObject({ previous_secret_expires_at: expires });
    expect(shown).not.toHaveProperty("secret");
  });

  it("answers 404 for an unknown endpoint", async () => {
    const { call } = await aWebhooksApp();
    expect((await call("POST", "/v1/webhooks/wh_000000000000000000000000/rotate-secret")).status).toBe(404);
  });
});

describe("GET /v1/webhooks/{id}/deliveries", () => {
  it("lists the endpoint's deliveries newest first, in pages, without the event or tenant", async () => {
    // Prepare
    const harness = await aWebhooksApp();
    const { body: created } = await harness.register();
    const id = String(created.id);
    const starts = [];
    for (const s of [1, 2, 3]) starts.push(await aDelivery(harness, id, s));
    await harness.webhooks.recordAttempt("acme", id, starts[2]!.id, { at: NOW.toISOString(), status_code: 500, latency_ms: 40 }, "pending", NOW);

    // Act
    const first = (await (await harness.call("GET", `/v1/webhooks/${id}/deliveries?limit=2`)).json()) as { items: Json[]; next_cursor: string };
    const second = (await (await harness.call("GET", `/v1/webhooks/${id}/deliveries?limit=2&cursor=${first.next_cursor}`)).json()) as Json;

    // Assess
    expect(first.items.map((d) => d.id)).toEqual([starts[2]!.id, starts[1]!.id]);
    expect(first.items[0]).toEqual({
      id: starts[2]!.id,
      webhook_id: id,
      event_id: starts[2]!.event_id,
      type: "message.sent",
      message_id: starts[2]!.message_id,
      status: "pending",
      created_at: starts[2]!.created_at,
      updated_at: NOW.toISOString(),
      attempts: [{ at: NOW.toISOString(), status_code: 500, latency_ms: 40 }],
    });
    expect(second).toEqual({ items: [expect.objectContaining({ id: starts[0]!.id })], next_cursor: null });
  });

  it("answers 404 for an unknown endpoint and 400 for a forged cursor", async () => {
    const { register, call } = await aWebhooksApp();
    const { body: created } = await register();
    expect((await call("GET", "/v1/webhooks/wh_000000000000000000000000/deliveries")).status).toBe(404);
    expect((await call("GET", `/v1/webhooks/${String(created.id)}/deliveries?cursor=bm9wZQ`)).status).toBe(400);
  });
});

describe("POST /v1/webhooks/{id}/deliveries/{delivery}/retry", () => {
  it("queues the delivery again with the same event and webhook-id, and shows it pending", async () => {
    // Prepare
    const harness = await aWebhooksApp();
    const { body: created } = await harness.register();
    const id = String(created.id);
    const start = await aDelivery(harness, id, 1);
    await harness.webhooks.setDeliveryStatus("acme", id, start.id, "dead_lettered", NOW);

    // Act
    const response = await harness.call("POST", `/v1/webhooks/${id}/deliveries/${start.id}/retry`);

    // Assess
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ id: start.id, status: "pending", event_id: start.event_id });
    expect(harness.webhookJobs.sent).toEqual([{ v: 1, tenant: "acme", webhook_id: id, delivery_id: start.id, event_id: start.event_id, event: start.event, manual: true }]);
    expect((await harness.webhooks.getDelivery("acme", id, start.id))?.status).toBe("pending");
  });

  it("refuses a disabled endpoint with 409 and queues nothing", async () => {
    const harness = await aWebhooksApp();
    const { body: created } = await harness.register();
    const id = String(created.id);
    const start = await aDelivery(harness, id, 1);
    await harness.call("PATCH", `/v1/webhooks/${id}`, { enabled: false });
    const response = await harness.call("POST", `/v1/webhooks/${id}/deliveries/${start.id}/retry`);
    expect(response.status).toBe(409);
    expect(((await response.json()) as Json).detail).toContain("enabled true");
    expect(harness.webhookJobs.sent).toEqual([]);
  });

  it("answers 404 for an unknown or malformed delivery and an unknown endpoint", async () => {
    const harness = await aWebhooksApp();
    const { body: created } = await harness.register();
    const id = String(created.id);
    const start = await aDelivery(harness, id, 1);
    expect((await harness.call("POST", `/v1/webhooks/${id}/deliveries/${deliveryIdFor("evt_x", id, NOW)}/retry`)).status).toBe(404);
    expect((await harness.call("POST", `/v1/webhooks/${id}/deliveries/nope/retry`)).status).toBe(404);
    expect((await harness.call("POST", `/v1/webhooks/wh_000000000000000000000000/deliveries/${start.id}/retry`)).status).toBe(404);
    expect(harness.webhookJobs.sent).toEqual([]);
  });

  it("answers 503 when the webhooks queue is not configured", async () => {
    const harness = await aWebhooksApp({ webhooks: { jobs: undefined } });
    const { body: created } = await harness.register();
    const start = await aDelivery(harness, String(created.id), 1);
    const response = await harness.call("POST", `/v1/webhooks/${String(created.id)}/deliveries/${start.id}/retry`);
    expect(response.status).toBe(503);
    expect(((await response.json()) as Json).detail).toBe("webhooks are not configured");
  });

  it("leaves the status as it was when the job cannot be queued", async () => {
    const harness = await aWebhooksApp();
    const { body: created } = await harness.register();
    const id = String(created.id);
    const start = await aDelivery(harness, id, 1);
    await harness.webhooks.setDeliveryStatus("acme", id, start.id, "failed", NOW);
    harness.webhookJobs.failWith = new Error("sqs down");
    const response = await harness.call("POST", `/v1/webhooks/${id}/deliveries/${start.id}/retry`);
    expect(response.status).toBe(503);
    expect((await harness.webhooks.getDelivery("acme", id, start.id))?.status).toBe("failed");
  });
});

describe("webhook routes and identity", () => {
  /** Every route, called on the given endpoint and delivery ids. */
  const ROUTES: { name: string; call: (h: Awaited<ReturnType<typeof aWebhooksApp>>, key: string, id: string, delivery: string) => Promise<Response> }[] = [
    { name: "POST /v1/webhooks", call: (h, key) => h.call("POST", "/v1/webhooks", registration, key) },
    { name: "GET /v1/webhooks", call: (h, key) => h.call("GET", "/v1/webhooks", undefined, key) },
    { name: "GET /v1/webhooks/{id}", call: (h, key, id) => h.call("GET", `/v1/webhooks/${id}`, undefined, key) },
    { name: "PATCH /v1/webhooks/{id}", call: (h, key, id) => h.call("PATCH", `/v1/webhooks/${id}`, { description: "changed" }, key) },
    { name: "DELETE /v1/webhooks/{id}", call: (h, key, id) => h.call("DELETE", `/v1/webhooks/${id}`, undefined, key) },
    { name: "POST /v1/webhooks/{id}/rotate-secret", call: (h, key, id) => h.call("POST", `/v1/webhooks/${id}/rotate-secret`, undefined, key) },
    { name: "GET /v1/webhooks/{id}/deliveries", call: (h, key, id) => h.call("GET", `/v1/webhooks/${id}/deliveries`, undefined, key) },
    {
      name: "POST /v1/webhooks/{id}/deliveries/{delivery}/retry",
      call: (h, key, id, delivery) => h.call("POST", `/v1/webhooks/${id}/deliveries/${delivery}/retry`, undefined, key),
    },
  ];
  const EVERY_OTHER_ROLE: Role[] = [Roles.send, Roles.read, Roles.readAll, Roles.decrypt, Roles.erase, Roles.suppressions];

  async function seeded() {
    const harness = await aWebhooksApp();
    const { body: created } = await harness.register();
    const id = String(created.id);
    const start = await aDelivery(harness, id, 1);
    return { harness, id, delivery: start.id, before: structuredClone([...harness.webhooks.endpoints.values()]) };
  }

  for (const route of ROUTES) {
    it(`${route.name} refuses a caller without webhooks:manage (403) and changes nothing`, async () => {
      // Prepare
      const { harness, id, delivery, before } = await seeded();
      const key = await harness.keyFor(EVERY_OTHER_ROLE);

      // Act
      const response = await route.call(harness, key, id, delivery);

      // Assess
      expect(response.status).toBe(403);
      expect(((await response.json()) as Json).detail).toContain(Roles.webhooks);
      expect([...harness.webhooks.endpoints.values()]).toEqual(before);
      expect(harness.webhookJobs.sent).toEqual([]);
    });

    it(`${route.name} answers 401 without credentials`, async () => {
      const { harness, id, delivery } = await seeded();
      const response = await route.call(harness, "", id, delivery);
      expect(response.status).toBe(401);
    });
  }

  for (const route of ROUTES.filter((r) => r.name.includes("{id}"))) {
    it(`${route.name} does not find another tenant's endpoint (404) and changes nothing`, async () => {
      // Prepare
      const { harness, id, delivery, before } = await seeded();
      const globex = await harness.keyFor([Roles.webhooks], "globex");

      // Act
      const response = await route.call(harness, globex, id, delivery);

      // Assess
      expect(response.status).toBe(404);
      expect([...harness.webhooks.endpoints.values()]).toEqual(before);
      expect(harness.webhookJobs.sent).toEqual([]);
    });
  }

  it("registers under the caller's tenant, whatever the body says, and lists only the caller's tenant", async () => {
    const harness = await aWebhooksApp();
    const globex = await harness.keyFor([Roles.webhooks], "globex", "gina");
    const { body } = await harness.register(registration, globex);
    expect((await harness.webhooks.get("globex", String(body.id)))?.principal).toBe("key:gina");
    expect(await harness.webhooks.get("acme", String(body.id))).toBeUndefined();
    expect(await (await harness.call("GET", "/v1/webhooks")).json()).toEqual({ items: [], next_cursor: null });
  });
});
