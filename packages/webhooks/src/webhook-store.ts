import type { Sealed, Webhook, WebhookAttempt, WebhookDelivery, WebhookDeliveryStatus, WebhookEvent } from "@herald/contracts";

/** A signing secret at rest: sealed under KMS (see secrets.ts); `expires_at` once rotated out. */
export type StoredSecret = { sealed: Sealed; created_at: string; expires_at?: string };

/** An endpoint as stored: what the API shows, plus whose it is and its sealed secrets (newest first). */
export type WebhookEndpoint = Webhook & { tenant: string; principal: string; secrets: StoredSecret[] };

export type WebhookChanges = Partial<Pick<Webhook, "url" | "event_types" | "description" | "include_recipients" | "enabled">>;

export type Page = { limit: number; cursor?: string | undefined };
export type PageResult<T> = { items: T[]; nextCursor: string | null };

/** A delivery as stored: the view plus the event it posts (kept so POST .../retry can post it again). */
export type StoredDelivery = WebhookDelivery & { tenant: string; event: WebhookEvent };

/** What is known of a delivery before its first attempt: everything but its status and attempts. */
export type DeliveryStart = Omit<StoredDelivery, "status" | "attempts" | "updated_at">;

/** The endpoints and their delivery log. Adapters: DynamoDB (WH#, WHD# items), and in-memory for unit tests. */
export interface WebhookStore {
  /** Fails if the id exists. */
  create(endpoint: WebhookEndpoint): Promise<void>;
  get(tenant: string, id: string): Promise<WebhookEndpoint | undefined>;
  /** The tenant's endpoints in id order. */
  list(tenant: string, page: Page): Promise<PageResult<WebhookEndpoint>>;
  /** Every enabled endpoint of the tenant (what a status change fans out to). */
  listEnabled(tenant: string): Promise<WebhookEndpoint[]>;
  /**
   * Applies the changes; `enabled: true` also clears disabled_* and failing_since, `enabled:
   * false` sets disabled_reason "disabled by hand". Undefined when there is no such endpoint.
   */
  update(tenant: string, id: string, changes: WebhookChanges, at: Date): Promise<WebhookEndpoint | undefined>;
  delete(tenant: string, id: string): Promise<boolean>;
  /**
   * Puts `next` first; the current secret stays, expiring at `previousExpiresAt`; secrets already
   * expired (or a third one) are dropped. Undefined when there is no such endpoint.
   */
  rotateSecret(tenant: string, id: string, next: StoredSecret, previousExpiresAt: Date, at: Date): Promise<WebhookEndpoint | undefined>;
  /**
   * A delivery to the endpoint failed: sets failing_since when not set; when it was set at least
   * `disableAfterMs` before `at`, disables the endpoint (disabled_reason names since when).
   * Returns whether the endpoint is now disabled.
   */
  recordFailure(tenant: string, id: string, at: Date, disableAfterMs: number): Promise<{ disabled: boolean }>;
  /** A delivery succeeded: removes failing_since (no write when it is not set). */
  recordSuccess(tenant: string, id: string): Promise<void>;

  /** Writes the delivery (status pending, no attempts) unless it exists; true when written. */
  startDelivery(delivery: DeliveryStart): Promise<boolean>;
  /** Appends an attempt and sets the delivery's status. */
  recordAttempt(tenant: string, webhookId: string, deliveryId: string, attempt: WebhookAttempt, status: WebhookDeliveryStatus, at: Date): Promise<void>;
  /** Sets the status without an attempt (skipped: endpoint gone or disabled; dead_lettered). */
  setDeliveryStatus(tenant: string, webhookId: string, deliveryId: string, status: WebhookDeliveryStatus, at: Date): Promise<void>;
  getDelivery(tenant: string, webhookId: string, deliveryId: string): Promise<StoredDelivery | undefined>;
  /** Newest first. */
  listDeliveries(tenant: string, webhookId: string, page: Page): Promise<PageResult<StoredDelivery>>;
}

/** The endpoint as the API shows it: no tenant, principal or secrets. */
export function webhookView(endpoint: WebhookEndpoint): Webhook {
  const { tenant: _tenant, principal: _principal, secrets, ...view } = endpoint;
  const previous = secrets[1]?.expires_at;
  return { ...view, ...(previous !== undefined && { previous_secret_expires_at: previous }) };
}

export function deliveryView(delivery: StoredDelivery): WebhookDelivery {
  const { tenant: _tenant, event: _event, ...view } = delivery;
  return view;
}

export class InvalidWebhookCursorError extends Error {
  constructor() {
    super("invalid cursor");
    this.name = "InvalidWebhookCursorError";
  }
}

/** Cursors are the last item's sort key, base64url-encoded JSON, opaque to callers. */
export function encodeWebhookCursor(sortKey: string): string {
  return Buffer.from(JSON.stringify({ k: sortKey }), "utf8").toString("base64url");
}

export function decodeWebhookCursor(cursor: string): string {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (value && typeof value === "object" && "k" in value && typeof value.k === "string" && /^(wh|del)_[0-9a-z]{1,64}$/.test(value.k)) return value.k;
  } catch {
    // fall through
  }
  throw new InvalidWebhookCursorError();
}
