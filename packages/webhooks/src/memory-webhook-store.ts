import type { WebhookAttempt, WebhookDeliveryStatus } from "@herald/contracts";
import {
  decodeWebhookCursor,
  encodeWebhookCursor,
  type DeliveryStart,
  type Page,
  type PageResult,
  type StoredDelivery,
  type StoredSecret,
  type WebhookChanges,
  type WebhookEndpoint,
  type WebhookStore,
} from "./webhook-store";

/** In-process WebhookStore with the DynamoDB adapter's semantics, for unit tests. */
export class MemoryWebhookStore implements WebhookStore {
  readonly endpoints = new Map<string, WebhookEndpoint>();
  readonly deliveries = new Map<string, StoredDelivery>();
  readonly #key = (...parts: string[]) => parts.join("\u0000");

  async create(endpoint: WebhookEndpoint): Promise<void> {
    const key = this.#key(endpoint.tenant, endpoint.id);
    if (this.endpoints.has(key)) throw new Error(`webhook ${endpoint.id} exists`);
    this.endpoints.set(key, structuredClone(endpoint));
  }

  async get(tenant: string, id: string): Promise<WebhookEndpoint | undefined> {
    const endpoint = this.endpoints.get(this.#key(tenant, id));
    return endpoint && structuredClone(endpoint);
  }

  async list(tenant: string, page: Page): Promise<PageResult<WebhookEndpoint>> {
    const after = page.cursor ? decodeWebhookCursor(page.cursor) : undefined;
    const all = [...this.endpoints.values()]
      .filter((e) => e.tenant === tenant && (after === undefined || e.id > after))
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    const items = all.slice(0, page.limit).map((e) => structuredClone(e));
    const last = items.at(-1);
    return { items, nextCursor: all.length > page.limit && last ? encodeWebhookCursor(last.id) : null };
  }

  async listEnabled(tenant: string): Promise<WebhookEndpoint[]> {
    return [...this.endpoints.values()].filter((e) => e.tenant === tenant && e.enabled).map((e) => structuredClone(e));
  }

  async update(tenant: string, id: string, changes: WebhookChanges, at: Date): Promise<WebhookEndpoint | undefined> {
    const endpoint = this.endpoints.get(this.#key(tenant, id));
    if (!endpoint) return undefined;
    // As an UpdateItem would: a field given as undefined is not a change.
    for (const [field, value] of Object.entries(changes)) if (value !== undefined) Object.assign(endpoint, { [field]: structuredClone(value) });
    endpoint.updated_at = at.toISOString();
    if (changes.enabled === true) {
      delete endpoint.disabled_reason;
      delete endpoint.disabled_at;
      delete endpoint.failing_since;
    } else if (changes.enabled === false) {
      endpoint.disabled_reason = "disabled by hand";
      endpoint.disabled_at = at.toISOString();
    }
    return structuredClone(endpoint);
  }

  async delete(tenant: string, id: string): Promise<boolean> {
    return this.endpoints.delete(this.#key(tenant, id));
  }

  async rotateSecret(tenant: string, id: string, next: StoredSecret, previousExpiresAt: Date, at: Date): Promise<WebhookEndpoint | undefined> {
    const endpoint = this.endpoints.get(this.#key(tenant, id));
    if (!endpoint) return undefined;
    const current = endpoint.secrets.find((s) => s.expires_at === undefined);
    endpoint.secrets = [structuredClone(next), ...(current ? [{ ...current, expires_at: previousExpiresAt.toISOString() }] : [])];
    endpoint.updated_at = at.toISOString();
    return structuredClone(endpoint);
  }

  async recordFailure(tenant: string, id: string, at: Date, disableAfterMs: number): Promise<{ disabled: boolean }> {
    const endpoint = this.endpoints.get(this.#key(tenant, id));
    if (!endpoint) return { disabled: false };
    if (endpoint.failing_since === undefined) {
      endpoint.failing_since = at.toISOString();
    } else if (endpoint.enabled && at.getTime() - Date.parse(endpoint.failing_since) >= disableAfterMs) {
      endpoint.enabled = false;
      endpoint.disabled_at = at.toISOString();
      endpoint.disabled_reason = `failing since ${endpoint.failing_since}`;
    }
    return { disabled: !endpoint.enabled };
  }

  async recordSuccess(tenant: string, id: string): Promise<void> {
    const endpoint = this.endpoints.get(this.#key(tenant, id));
    if (endpoint) delete endpoint.failing_since;
  }

  async startDelivery(delivery: DeliveryStart): Promise<boolean> {
    const key = this.#key(delivery.tenant, delivery.webhook_id, delivery.id);
    if (this.deliveries.has(key)) return false;
    this.deliveries.set(key, { ...structuredClone(delivery), status: "pending", attempts: [], updated_at: delivery.created_at });
    return true;
  }

  async recordAttempt(tenant: string, webhookId: string, deliveryId: string, attempt: WebhookAttempt, status: WebhookDeliveryStatus, at: Date): Promise<void> {
    const delivery = this.deliveries.get(this.#key(tenant, webhookId, deliveryId));
    if (!delivery) throw new Error(`no delivery ${deliveryId}`);
    delivery.attempts.push(structuredClone(attempt));
    delivery.status = status;
    delivery.updated_at = at.toISOString();
  }

  async setDeliveryStatus(tenant: string, webhookId: string, deliveryId: string, status: WebhookDeliveryStatus, at: Date): Promise<void> {
    const delivery = this.deliveries.get(this.#key(tenant, webhookId, deliveryId));
    if (!delivery) throw new Error(`no delivery ${deliveryId}`);
    delivery.status = status;
    delivery.updated_at = at.toISOString();
  }

  async getDelivery(tenant: string, webhookId: string, deliveryId: string): Promise<StoredDelivery | undefined> {
    const delivery = this.deliveries.get(this.#key(tenant, webhookId, deliveryId));
    return delivery && structuredClone(delivery);
  }

  async listDeliveries(tenant: string, webhookId: string, page: Page): Promise<PageResult<StoredDelivery>> {
    const before = page.cursor ? decodeWebhookCursor(page.cursor) : undefined;
    const all = [...this.deliveries.values()]
      .filter((d) => d.tenant === tenant && d.webhook_id === webhookId && (before === undefined || d.id < before))
      .sort((a, b) => (a.id < b.id ? 1 : -1));
    const items = all.slice(0, page.limit).map((d) => structuredClone(d));
    const last = items.at(-1);
    return { items, nextCursor: all.length > page.limit && last ? encodeWebhookCursor(last.id) : null };
  }
}
