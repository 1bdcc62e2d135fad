import { requireRole } from "@herald/auth";
import {
  Roles,
  type CreateWebhookRequest,
  type Identity,
  type UpdateWebhookRequest,
  type Webhook,
  type WebhookDelivery,
  type WebhookDeliveryPage,
  type WebhookJob,
  type WebhookPage,
  type WebhookWithSecret,
} from "@herald/contracts";
import type { EnvelopeCipher } from "@herald/crypto";
import { AppError, NotFoundError, UnavailableError, ValidationError, maskPrincipal, type Clock, type Logger } from "@herald/platform";
import {
  checkWebhookUrl,
  DELIVERY_ID,
  deliveryView,
  generateSecret,
  InvalidWebhookCursorError,
  newWebhookId,
  ROTATION_OVERLAP_MS,
  sealSecret,
  WEBHOOK_ID,
  webhookView,
  type StoredSecret,
  type UrlPolicy,
  type WebhookChanges,
  type WebhookEndpoint,
  type WebhookStore,
} from "@herald/webhooks";
import type { WebhookJobQueue } from "../ports/webhook-job-queue";

/*
 * The caller's tenant's webhook endpoints (role webhooks:manage) and their delivery logs. The
 * tenant is always the caller's; an id of another tenant's endpoint is simply not found. The
 * signing secret is shown once, in the answer to a registration or a rotation; at rest it is
 * sealed under KMS, and it is never logged, nor is the URL (its query string may hold a token).
 */

export type WebhookSettings = {
  store: WebhookStore;
  /** Seals new signing secrets; undefined when no KMS key is configured for them (registration and rotation answer 503). */
  cipher: EnvelopeCipher | undefined;
  urlPolicy: UrlPolicy;
  /** The webhooks queue, for retries by hand; undefined when not configured (the retry route answers 503). */
  jobs: WebhookJobQueue | undefined;
};

export type WebhookDeps = { webhooks?: WebhookSettings; clock: Clock; logger: Logger };

type PageQuery = { limit: number; cursor?: string | undefined };

function settings(deps: WebhookDeps): WebhookSettings {
  if (!deps.webhooks) throw new Error("unreachable: no webhook store configured");
  return deps.webhooks;
}

const notConfigured = () => new UnavailableError("webhooks.not_configured", "webhooks are not configured");

/** The URL as the policy normalises it, or a 400 naming why it is refused. */
function checkedUrl(raw: string, policy: UrlPolicy): string {
  const checked = checkWebhookUrl(raw, policy);
  if (!checked.ok) throw new ValidationError("The webhook URL is refused", [{ path: "url", message: checked.reason }], "webhook.url_refused");
  return checked.url.href;
}

/** A malformed id names no endpoint: 404, as an unknown one. */
async function endpointOf(deps: WebhookDeps, identity: Identity, id: string): Promise<WebhookEndpoint> {
  const endpoint = WEBHOOK_ID.test(id) ? await settings(deps).store.get(identity.tenant, id) : undefined;
  if (!endpoint) throw new NotFoundError("Webhook");
  return endpoint;
}

async function newSecret(deps: WebhookDeps, tenant: string, webhookId: string, at: Date): Promise<{ secret: string; stored: StoredSecret }> {
  const { cipher } = settings(deps);
  if (!cipher) throw notConfigured();
  const secret = generateSecret();
  return { secret, stored: await sealSecret(cipher, tenant, webhookId, secret, at) };
}

function invalidCursor(error: unknown): never {
  if (error instanceof InvalidWebhookCursorError) throw new ValidationError("Invalid cursor", [{ path: "cursor", message: "is not a cursor this API issued" }]);
  throw error;
}

export async function createWebhook(request: CreateWebhookRequest, identity: Identity, deps: WebhookDeps): Promise<WebhookWithSecret> {
  requireRole(identity, Roles.webhooks);
  const url = checkedUrl(request.url, settings(deps).urlPolicy);
  const now = deps.clock.now();
  const id = newWebhookId();
  const { secret, stored } = await newSecret(deps, identity.tenant, id, now);
  const endpoint: WebhookEndpoint = {
    id,
    tenant: identity.tenant,
    principal: identity.principal,
    url,
    event_types: request.event_types,
    ...(request.description !== undefined && { description: request.description }),
    include_recipients: request.include_recipients,
    enabled: true,
    created_at: now.toISOString(),
    updated_at: now.toISOString(),
    secrets: [stored],
  };
  await settings(deps).store.create(endpoint);
  deps.logger.info("webhook registered", { webhookId: id, principal: maskPrincipal(identity.principal) });
  return { ...webhookView(endpoint), secret };
}

export async function listWebhooks(query: PageQuery, identity: Identity, deps: WebhookDeps): Promise<WebhookPage> {
  requireRole(identity, Roles.webhooks);
  const page = await settings(deps).store.list(identity.tenant, query).catch(invalidCursor);
  return { items: page.items.map(webhookView), next_cursor: page.nextCursor };
}

export async function getWebhook(id: string, identity: Identity, deps: WebhookDeps): Promise<Webhook> {
  requireRole(identity, Roles.webhooks);
  return webhookView(await endpointOf(deps, identity, id));
}

export async function updateWebhook(id: string, request: UpdateWebhookRequest, identity: Identity, deps: WebhookDeps): Promise<Webhook> {
  requireRole(identity, Roles.webhooks);
  const changes: WebhookChanges = {
    ...(request.url !== undefined && { url: checkedUrl(request.url, settings(deps).urlPolicy) }),
    ...(request.event_types !== undefined && { event_types: request.event_types }),
    ...(request.description !== undefined && { description: request.description }),
    ...(request.include_recipients !== undefined && { include_recipients: request.include_recipients }),
    ...(request.enabled !== undefined && { enabled: request.enabled }),
  };
  const updated = WEBHOOK_ID.test(id) ? await settings(deps).store.update(identity.tenant, id, changes, deps.clock.now()) : undefined;
  if (!updated) throw new NotFoundError("Webhook");
  deps.logger.info("webhook updated", { webhookId: id, fields: Object.keys(changes), principal: maskPrincipal(identity.principal) });
  return webhookView(updated);
}

export async function deleteWebhook(id: string, identity: Identity, deps: WebhookDeps): Promise<void> {
  requireRole(identity, Roles.webhooks);
  const deleted = WEBHOOK_ID.test(id) && (await settings(deps).store.delete(identity.tenant, id));
  if (!deleted) throw new NotFoundError("Webhook");
  deps.logger.info("webhook deleted", { webhookId: id, principal: maskPrincipal(identity.principal) });
}

/** A new secret signs from now on; the current one keeps signing beside it for ROTATION_OVERLAP_MS. */
export async function rotateWebhookSecret(id: string, identity: Identity, deps: WebhookDeps): Promise<WebhookWithSecret> {
  requireRole(identity, Roles.webhooks);
  await endpointOf(deps, identity, id);
  const now = deps.clock.now();
  const { secret, stored } = await newSecret(deps, identity.tenant, id, now);
  const rotated = await settings(deps).store.rotateSecret(identity.tenant, id, stored, new Date(now.getTime() + ROTATION_OVERLAP_MS), now);
  // deleted between the read and the rotation
  if (!rotated) throw new NotFoundError("Webhook");
  deps.logger.info("webhook secret rotated", { webhookId: id, principal: maskPrincipal(identity.principal) });
  return { ...webhookView(rotated), secret };
}

export async function listWebhookDeliveries(id: string, query: PageQuery, identity: Identity, deps: WebhookDeps): Promise<WebhookDeliveryPage> {
  requireRole(identity, Roles.webhooks);
  await endpointOf(deps, identity, id);
  const page = await settings(deps).store.listDeliveries(identity.tenant, id, query).catch(invalidCursor);
  return { items: page.items.map(deliveryView), next_cursor: page.nextCursor };
}

/*
 * Puts one delivery back on the webhooks queue, with the event and webhook-id it had, so a
 * receiver that de-duplicates sees the same event again. The status is set to pending before the
 * job is sent (a consumer fast enough to finish it first must not have its outcome overwritten)
 * and set back if the job cannot be sent.
 */
export async function retryWebhookDelivery(id: string, deliveryId: string, identity: Identity, deps: WebhookDeps): Promise<WebhookDelivery> {
  requireRole(identity, Roles.webhooks);
  const { store, jobs } = settings(deps);
  if (!jobs) throw notConfigured();
  const endpoint = await endpointOf(deps, identity, id);
  const delivery = DELIVERY_ID.test(deliveryId) ? await store.getDelivery(identity.tenant, id, deliveryId) : undefined;
  if (!delivery) throw new NotFoundError("Delivery");
  if (!endpoint.enabled) {
    throw new AppError("webhook.disabled", "The endpoint is disabled: PATCH /v1/webhooks/{id} with enabled true first", { status: 409 });
  }
  const now = deps.clock.now();
  const job: WebhookJob = {
    v: 1,
    tenant: identity.tenant,
    webhook_id: id,
    delivery_id: delivery.id,
    event_id: delivery.event_id,
    event: delivery.event,
    manual: true,
  };
  await store.setDeliveryStatus(identity.tenant, id, delivery.id, "pending", now);
  try {
    await jobs.enqueue(job);
  } catch (error) {
    await store.setDeliveryStatus(identity.tenant, id, delivery.id, delivery.status, now).catch(() => undefined);
    throw new UnavailableError("webhooks.enqueue_failed", "The retry could not be queued; nothing changed, try again", error);
  }
  deps.logger.info("webhook delivery retried", { webhookId: id, deliveryId: delivery.id, principal: maskPrincipal(identity.principal) });
  return deliveryView({ ...delivery, status: "pending", updated_at: now.toISOString() });
}
