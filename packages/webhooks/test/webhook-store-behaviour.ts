import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Sealed, WebhookAttempt, WebhookEvent } from "@herald/contracts";
import { deliveryIdFor, eventIdFor, newWebhookId } from "../src/ids";
import { encodeWebhookCursor, InvalidWebhookCursorError, webhookView, type DeliveryStart, type StoredSecret, type WebhookEndpoint, type WebhookStore } from "../src/webhook-store";

/*
 * The behaviour every WebhookStore adapter must share. Each test works under its own tenant,
 * so the suite can run against one long-lived table without resets.
 */

const BASE = Date.parse("2030-01-01T00:00:00.000Z");
const at = (seconds: number) => new Date(BASE + seconds * 1000);
const iso = (seconds: number) => at(seconds).toISOString();
const DAY = 24 * 3600;
const THREE_DAYS_MS = 3 * DAY * 1000;

const aTenant = () => `t-${randomUUID()}`;

function aSealed(marker: string): Sealed {
  return { v: 1, alg: "AES-256-GCM", key: "a2V5", key_id: "memory", iv: "aXY=", tag: "dGFn", ciphertext: Buffer.from(marker).toString("base64") };
}

const aSecret = (marker: string, seconds = 0): StoredSecret => ({ sealed: aSealed(marker), created_at: iso(seconds) });

export function anEndpoint(tenant: string, overrides: Partial<WebhookEndpoint> = {}): WebhookEndpoint {
  return {
    id: newWebhookId(),
    tenant,
    principal: "key:behaviour",
    url: "https://hooks.example.com/herald",
    event_types: ["message.sent", "message.delivered"],
    include_recipients: false,
    enabled: true,
    created_at: iso(0),
    updated_at: iso(0),
    secrets: [aSecret("first")],
    ...overrides,
  };
}

function anEvent(messageId: string, seconds: number): WebhookEvent {
  return {
    type: "message.sent",
    timestamp: iso(seconds),
    data: { message_id: messageId, status: "sent", channel: "email", created_at: iso(0), provider: "ses", recipients: [] },
  };
}

export function aDeliveryStart(tenant: string, webhookId: string, seconds: number): DeliveryStart {
  const messageId = randomUUID();
  const eventId = eventIdFor(`change-${randomUUID()}`);
  return {
    id: deliveryIdFor(eventId, webhookId, at(seconds)),
    tenant,
    webhook_id: webhookId,
    event_id: eventId,
    type: "message.sent",
    message_id: messageId,
    created_at: iso(seconds),
    event: anEvent(messageId, seconds),
  };
}

const anAttempt = (seconds: number, overrides: Partial<WebhookAttempt> = {}): WebhookAttempt => ({ at: iso(seconds), status_code: 500, latency_ms: 12, ...overrides });

export function describeWebhookStore(name: string, makeStore: () => WebhookStore): void {
  describe(`${name} (WebhookStore behaviour)`, () => {
    describe("endpoints", () => {
      it("creates an endpoint and reads it back as written", async () => {
        // Prepare
        const store = makeStore();
        const endpoint = anEndpoint(aTenant(), { description: "orders" });

        // Act
        await store.create(endpoint);

        // Assess
        expect(await store.get(endpoint.tenant, endpoint.id)).toEqual(endpoint);
      });

      it("refuses to create an id that exists", async () => {
        // Prepare
        const store = makeStore();
        const endpoint = anEndpoint(aTenant());
        await store.create(endpoint);

        // Act / Assess
        await expect(store.create({ ...endpoint, url: "https://other.example.com/" })).rejects.toThrow();
        expect((await store.get(endpoint.tenant, endpoint.id))?.url).toBe(endpoint.url);
      });

      it("does not find another tenant's endpoint by its id", async () => {
        // Prepare
        const store = makeStore();
        const endpoint = anEndpoint(aTenant());
        await store.create(endpoint);
        const other = aTenant();

        // Act / Assess
        expect(await store.get(other, endpoint.id)).toBeUndefined();
        expect(await store.update(other, endpoint.id, { url: "https://evil.example.com/" }, at(1))).toBeUndefined();
        expect(await store.rotateSecret(other, endpoint.id, aSecret("evil", 1), at(DAY), at(1))).toBeUndefined();
        expect(await store.delete(other, endpoint.id)).toBe(false);
        expect(await store.recordFailure(other, endpoint.id, at(1), 0)).toEqual({ disabled: false });
        await store.recordSuccess(other, endpoint.id);
        expect((await store.list(other, { limit: 10 })).items).toEqual([]);
        expect(await store.listEnabled(other)).toEqual([]);
        expect(await store.get(endpoint.tenant, endpoint.id)).toEqual(endpoint);
      });

      it("lists the tenant's endpoints in id order, page by page, with a cursor", async () => {
        // Prepare
        const store = makeStore();
        const tenant = aTenant();
        const endpoints = Array.from({ length: 5 }, () => anEndpoint(tenant));
        for (const e of endpoints) await store.create(e);
        await store.create(anEndpoint(aTenant()));
        const ids = endpoints.map((e) => e.id).sort();

        // Act
        const first = await store.list(tenant, { limit: 2 });
        const second = await store.list(tenant, { limit: 2, cursor: first.nextCursor ?? "" });
        const third = await store.list(tenant, { limit: 2, cursor: second.nextCursor ?? "" });
        const exact = await store.list(tenant, { limit: 5 });

        // Assess
        expect(first.items.map((e) => e.id)).toEqual(ids.slice(0, 2));
        expect(second.items.map((e) => e.id)).toEqual(ids.slice(2, 4));
        expect(third).toEqual({ items: [expect.objectContaining({ id: ids[4] })], nextCursor: null });
        expect(exact.items).toHaveLength(5);
        expect(exact.nextCursor).toBeNull();
        expect(first.items[0]).toEqual(endpoints.find((e) => e.id === ids[0]));
      });

      it("refuses a forged cursor", async () => {
        const store = makeStore();
        await expect(store.list(aTenant(), { limit: 2, cursor: "bm9wZQ" })).rejects.toThrow(InvalidWebhookCursorError);
      });

      it("lists only the enabled endpoints for fan-out", async () => {
        // Prepare
        const store = makeStore();
        const tenant = aTenant();
        const on = [anEndpoint(tenant), anEndpoint(tenant), anEndpoint(tenant)];
        const off = anEndpoint(tenant, { enabled: false, disabled_reason: "disabled by hand", disabled_at: iso(0) });
        for (const e of [...on, off]) await store.create(e);

        // Act
        const enabled = await store.listEnabled(tenant);

        // Assess
        expect(enabled.map((e) => e.id).sort()).toEqual(on.map((e) => e.id).sort());
      });

      it("applies changes and stamps updated_at, leaving the rest as it was", async () => {
        // Prepare
        const store = makeStore();
        const endpoint = anEndpoint(aTenant());
        await store.create(endpoint);

        // Act
        const updated = await store.update(
          endpoint.tenant,
          endpoint.id,
          { url: "https://new.example.com/hook", event_types: ["message.bounced"], description: "new", include_recipients: true },
          at(60),
        );

        // Assess
        const expected = { ...endpoint, url: "https://new.example.com/hook", event_types: ["message.bounced"], description: "new", include_recipients: true, updated_at: iso(60) };
        expect(updated).toEqual(expected);
        expect(await store.get(endpoint.tenant, endpoint.id)).toEqual(expected);
      });

      it("disables by hand with enabled false, and enabled true clears the reason and the failure run", async () => {
        // Prepare
        const store = makeStore();
        const endpoint = anEndpoint(aTenant());
        await store.create(endpoint);
        await store.recordFailure(endpoint.tenant, endpoint.id, at(10), THREE_DAYS_MS);

        // Act
        const off = await store.update(endpoint.tenant, endpoint.id, { enabled: false }, at(20));
        const on = await store.update(endpoint.tenant, endpoint.id, { enabled: true }, at(30));

        // Assess
        expect(off).toMatchObject({ enabled: false, disabled_reason: "disabled by hand", disabled_at: iso(20), failing_since: iso(10) });
        expect(on).toEqual({ ...endpoint, enabled: true, updated_at: iso(30) });
        expect(await store.listEnabled(endpoint.tenant)).toHaveLength(1);
      });

      it("answers undefined when updating an endpoint that does not exist, and creates none", async () => {
        const store = makeStore();
        const tenant = aTenant();
        expect(await store.update(tenant, newWebhookId(), { enabled: true }, at(1))).toBeUndefined();
        expect((await store.list(tenant, { limit: 10 })).items).toEqual([]);
      });

      it("deletes an endpoint once", async () => {
        // Prepare
        const store = makeStore();
        const endpoint = anEndpoint(aTenant());
        await store.create(endpoint);

        // Act / Assess
        expect(await store.delete(endpoint.tenant, endpoint.id)).toBe(true);
        expect(await store.delete(endpoint.tenant, endpoint.id)).toBe(false);
        expect(await store.get(endpoint.tenant, endpoint.id)).toBeUndefined();
      });
    });

    describe("rotateSecret", () => {
      it("puts the new secret first and keeps the old one until it expires", async () => {
        // Prepare
        const store = makeStore();
        const endpoint = anEndpoint(aTenant());
        await store.create(endpoint);
        const next = aSecret("second", 100);

        // Act
        const rotated = await store.rotateSecret(endpoint.tenant, endpoint.id, next, at(100 + DAY), at(100));

        // Assess
        expect(rotated?.secrets).toEqual([next, { ...endpoint.secrets[0], expires_at: iso(100 + DAY) }]);
        expect(rotated?.updated_at).toBe(iso(100));
        expect(rotated && webhookView(rotated).previous_secret_expires_at).toBe(iso(100 + DAY));
        expect(await store.get(endpoint.tenant, endpoint.id)).toEqual(rotated);
      });

      it("drops the oldest secret on a third rotation", async () => {
        // Prepare
        const store = makeStore();
        const endpoint = anEndpoint(aTenant());
        await store.create(endpoint);
        await store.rotateSecret(endpoint.tenant, endpoint.id, aSecret("second", 100), at(100 + DAY), at(100));

        // Act
        const rotated = await store.rotateSecret(endpoint.tenant, endpoint.id, aSecret("third", 200), at(200 + DAY), at(200));

        // Assess
        expect(rotated?.secrets).toEqual([aSecret("third", 200), { ...aSecret("second", 100), expires_at: iso(200 + DAY) }]);
      });

      it("answers undefined for an endpoint that does not exist", async () => {
        const store = makeStore();
        expect(await store.rotateSecret(aTenant(), newWebhookId(), aSecret("x"), at(DAY), at(1))).toBeUndefined();
      });
    });

    describe("recordFailure and recordSuccess", () => {
      it("sets failing_since on the first failure and keeps it, enabled, within the window", async () => {
        // Prepare
        const store = makeStore();
        const endpoint = anEndpoint(aTenant());
        await store.create(endpoint);

        // Act
        const first = await store.recordFailure(endpoint.tenant, endpoint.id, at(10), THREE_DAYS_MS);
        const later = await store.recordFailure(endpoint.tenant, endpoint.id, at(10 + 3 * DAY - 1), THREE_DAYS_MS);

        // Assess
        expect(first).toEqual({ disabled: false });
        expect(later).toEqual({ disabled: false });
        expect(await store.get(endpoint.tenant, endpoint.id)).toEqual({ ...endpoint, failing_since: iso(10) });
      });

      it("disables the endpoint after the window, naming since when it failed", async () => {
        // Prepare
        const store = makeStore();
        const endpoint = anEndpoint(aTenant());
        await store.create(endpoint);
        await store.recordFailure(endpoint.tenant, endpoint.id, at(10), THREE_DAYS_MS);

        // Act
        const result = await store.recordFailure(endpoint.tenant, endpoint.id, at(10 + 3 * DAY), THREE_DAYS_MS);
        const again = await store.recordFailure(endpoint.tenant, endpoint.id, at(10 + 4 * DAY), THREE_DAYS_MS);

        // Assess
        expect(result).toEqual({ disabled: true });
        expect(again).toEqual({ disabled: true });
        const stored = await store.get(endpoint.tenant, endpoint.id);
        expect(stored).toMatchObject({ enabled: false, failing_since: iso(10), disabled_at: iso(10 + 3 * DAY) });
        expect(stored?.disabled_reason).toContain(iso(10));
        expect(await store.listEnabled(endpoint.tenant)).toEqual([]);
      });

      it("does not disable on the first failure even with no window", async () => {
        const store = makeStore();
        const endpoint = anEndpoint(aTenant());
        await store.create(endpoint);
        expect(await store.recordFailure(endpoint.tenant, endpoint.id, at(10), 0)).toEqual({ disabled: false });
      });

      it("disables once when failures race past the window", async () => {
        // Prepare
        const store = makeStore();
        const endpoint = anEndpoint(aTenant());
        await store.create(endpoint);
        await store.recordFailure(endpoint.tenant, endpoint.id, at(10), THREE_DAYS_MS);

        // Act
        const results = await Promise.all(Array.from({ length: 5 }, (_, i) => store.recordFailure(endpoint.tenant, endpoint.id, at(10 + 3 * DAY + i), THREE_DAYS_MS)));

        // Assess
        expect(results).toEqual(Array.from({ length: 5 }, () => ({ disabled: true })));
        expect(await store.get(endpoint.tenant, endpoint.id)).toMatchObject({ enabled: false, disabled_reason: `failing since ${iso(10)}` });
      });

      it("clears failing_since on a success, so the next failure starts a new run", async () => {
        // Prepare
        const store = makeStore();
        const endpoint = anEndpoint(aTenant());
        await store.create(endpoint);
        await store.recordFailure(endpoint.tenant, endpoint.id, at(10), THREE_DAYS_MS);

        // Act
        await store.recordSuccess(endpoint.tenant, endpoint.id);
        await store.recordSuccess(endpoint.tenant, endpoint.id);
        const next = await store.recordFailure(endpoint.tenant, endpoint.id, at(10 + 3 * DAY), THREE_DAYS_MS);

        // Assess
        expect(next).toEqual({ disabled: false });
        expect(await store.get(endpoint.tenant, endpoint.id)).toEqual({ ...endpoint, failing_since: iso(10 + 3 * DAY) });
      });

      it("creates nothing for an endpoint that does not exist", async () => {
        const store = makeStore();
        const tenant = aTenant();
        const id = newWebhookId();
        expect(await store.recordFailure(tenant, id, at(1), 0)).toEqual({ disabled: false });
        await store.recordSuccess(tenant, id);
        expect(await store.get(tenant, id)).toBeUndefined();
      });
    });

    describe("deliveries", () => {
      it("starts a delivery once, pending with no attempts", async () => {
        // Prepare
        const store = makeStore();
        const start = aDeliveryStart(aTenant(), newWebhookId(), 10);

        // Act
        const first = await store.startDelivery(start);
        const second = await store.startDelivery({ ...start, created_at: iso(20) });

        // Assess
        expect([first, second]).toEqual([true, false]);
        expect(await store.getDelivery(start.tenant, start.webhook_id, start.id)).toEqual({ ...start, status: "pending", attempts: [], updated_at: iso(10) });
      });

      it("appends attempts in order and sets the status", async () => {
        // Prepare
        const store = makeStore();
        const start = aDeliveryStart(aTenant(), newWebhookId(), 10);
        await store.startDelivery(start);
        const failed = anAttempt(11, { status_code: 503 });
        const timeout: WebhookAttempt = { at: iso(20), latency_ms: 10_000, error: "timeout" };
        const ok = anAttempt(60, { status_code: 204 });

        // Act
        await store.recordAttempt(start.tenant, start.webhook_id, start.id, failed, "pending", at(11));
        await store.recordAttempt(start.tenant, start.webhook_id, start.id, timeout, "pending", at(20));
        await store.recordAttempt(start.tenant, start.webhook_id, start.id, ok, "succeeded", at(60));

        // Assess
        const delivery = await store.getDelivery(start.tenant, start.webhook_id, start.id);
        expect(delivery?.attempts).toEqual([failed, timeout, ok]);
        expect(delivery).toMatchObject({ status: "succeeded", updated_at: iso(60), created_at: iso(10) });
      });

      it("sets a status without an attempt", async () => {
        // Prepare
        const store = makeStore();
        const start = aDeliveryStart(aTenant(), newWebhookId(), 10);
        await store.startDelivery(start);

        // Act
        await store.setDeliveryStatus(start.tenant, start.webhook_id, start.id, "skipped", at(15));

        // Assess
        expect(await store.getDelivery(start.tenant, start.webhook_id, start.id)).toMatchObject({ status: "skipped", updated_at: iso(15), attempts: [] });
      });

      it("refuses an attempt or a status for a delivery that does not exist, and creates none", async () => {
        const store = makeStore();
        const start = aDeliveryStart(aTenant(), newWebhookId(), 10);
        await expect(store.recordAttempt(start.tenant, start.webhook_id, start.id, anAttempt(11), "failed", at(11))).rejects.toThrow();
        await expect(store.setDeliveryStatus(start.tenant, start.webhook_id, start.id, "skipped", at(11))).rejects.toThrow();
        expect(await store.getDelivery(start.tenant, start.webhook_id, start.id)).toBeUndefined();
      });

      it("lists an endpoint's deliveries newest first, page by page", async () => {
        // Prepare
        const store = makeStore();
        const tenant = aTenant();
        const webhookId = newWebhookId();
        const starts = [10, 20, 30, 40, 50].map((s) => aDeliveryStart(tenant, webhookId, s));
        for (const s of starts) await store.startDelivery(s);
        await store.startDelivery(aDeliveryStart(tenant, newWebhookId(), 25));
        const newest = starts.map((s) => s.id).reverse();

        // Act
        const first = await store.listDeliveries(tenant, webhookId, { limit: 2 });
        const second = await store.listDeliveries(tenant, webhookId, { limit: 2, cursor: first.nextCursor ?? "" });
        const third = await store.listDeliveries(tenant, webhookId, { limit: 2, cursor: second.nextCursor ?? "" });

        // Assess
        expect(first.items.map((d) => d.id)).toEqual(newest.slice(0, 2));
        expect(second.items.map((d) => d.id)).toEqual(newest.slice(2, 4));
        expect(third.items.map((d) => d.id)).toEqual(newest.slice(4));
        expect(third.nextCursor).toBeNull();
        expect(first.items[0]).toEqual({ ...starts[4], status: "pending", attempts: [], updated_at: iso(50) });
      });

      it("keeps deliveries per tenant", async () => {
        // Prepare
        const store = makeStore();
        const start = aDeliveryStart(aTenant(), newWebhookId(), 10);
        await store.startDelivery(start);
        const other = aTenant();

        // Act / Assess
        expect(await store.getDelivery(other, start.webhook_id, start.id)).toBeUndefined();
        expect((await store.listDeliveries(other, start.webhook_id, { limit: 10 })).items).toEqual([]);
        await expect(store.setDeliveryStatus(other, start.webhook_id, start.id, "skipped", at(11))).rejects.toThrow();
        expect((await store.getDelivery(start.tenant, start.webhook_id, start.id))?.status).toBe("pending");
      });

      it("starts a page after a cursor naming a delivery that is not there", async () => {
        // Prepare
        const store = makeStore();
        const tenant = aTenant();
        const webhookId = newWebhookId();
        const starts = [10, 20, 30].map((s) => aDeliveryStart(tenant, webhookId, s));
        for (const s of starts) await store.startDelivery(s);
        const between = deliveryIdFor("evt_x", webhookId, at(25));

        // Act
        const page = await store.listDeliveries(tenant, webhookId, { limit: 10, cursor: encodeWebhookCursor(between) });

        // Assess
        expect(page.items.map((d) => d.id)).toEqual([starts[1]?.id, starts[0]?.id]);
      });
    });
  });
}
