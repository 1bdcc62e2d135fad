import type { WebhookAttempt, WebhookJob } from "@herald/contracts";
import { TransientError, type Clock, type Logger } from "@herald/platform";
import { signingSecrets, type StoredSecret, type UrlPolicy, type WebhookStore } from "@herald/webhooks";
import type { PostRequest, PostResult } from "@herald/webhooks/http";
import { signatureHeaders } from "@herald/webhooks/signer";

export type WebhookDeps = {
  store: WebhookStore;
  /** An endpoint's sealed secret → the secret (openSecret with the consumer's cipher, whose data keys are cached). */
  openSecret: (tenant: string, webhookId: string, secret: StoredSecret) => Promise<string>;
  post: (request: PostRequest) => Promise<PostResult>;
  clock: Clock;
  logger: Logger;
  settings: { timeoutMs: number; maxAttempts: number; disableAfterMs: number; policy: UrlPolicy };
};

export type JobDelivery = { receiveCount: number };

/** A post that did not succeed: retried with backoff (the queue's visibility timeout) until the last attempt. */
export class WebhookPostFailed extends TransientError {
  constructor(detail: string) {
    super("webhooks.post_failed", `webhook post failed: ${detail}`);
    this.name = "WebhookPostFailed";
  }
}

/**
 * One job: one event posted to one endpoint, signed. A 2xx is success; anything else is recorded
 * as an attempt and thrown (the queue backs it off and delivers it again) until the last
 * attempt, which marks the delivery dead_lettered and lets the job go to the DLQ. A gone or
 * disabled endpoint is not posted to (the delivery is `skipped`); a duplicate job for a delivery
 * that already succeeded is not posted again. A failure past the endpoint's disable window
 * disables it and ends the delivery `failed`: its other jobs are skipped from then on.
 */
export async function deliverJob(job: WebhookJob, delivery: JobDelivery, deps: WebhookDeps): Promise<void> {
  const { store, logger } = deps;
  const fields = { webhookId: job.webhook_id, deliveryId: job.delivery_id, attempt: delivery.receiveCount, type: job.event.type };
  const now = deps.clock.now();
  const [endpoint, fresh] = await Promise.all([
    store.get(job.tenant, job.webhook_id),
    store.startDelivery({
      id: job.delivery_id,
      tenant: job.tenant,
      webhook_id: job.webhook_id,
      event_id: job.event_id,
      type: job.event.type,
      message_id: job.event.data.message_id,
      created_at: job.event.timestamp,
      event: job.event,
    }),
  ]);
  if (!fresh && !job.manual) {
    const known = await store.getDelivery(job.tenant, job.webhook_id, job.delivery_id);
    if (known && known.status !== "pending") {
      logger.info("webhook delivery already ended; duplicate job dropped", { ...fields, status: known.status });
      return;
    }
  }
  if (!endpoint || !endpoint.enabled) {
    await store.setDeliveryStatus(job.tenant, job.webhook_id, job.delivery_id, "skipped", now);
    logger.info("webhook skipped", { ...fields, why: endpoint ? "endpoint disabled" : "endpoint deleted" });
    return;
  }

  const secrets = await Promise.all(signingSecrets(endpoint.secrets, now).map((secret) => deps.openSecret(job.tenant, endpoint.id, secret)));
  const body = JSON.stringify(job.event);
  const result = await deps.post({
    url: endpoint.url,
    body,
    headers: signatureHeaders(job.event_id, now, body, secrets),
    timeoutMs: deps.settings.timeoutMs,
    policy: deps.settings.policy,
  });
  const attempt: WebhookAttempt = {
    at: now.toISOString(),
    latency_ms: result.latency_ms,
    ...(result.status_code !== undefined && { status_code: result.status_code }),
    ...(result.error !== undefined && { error: result.error }),
  };
  const logged = { ...fields, statusCode: result.status_code, latencyMs: result.latency_ms };
  if (result.ok) {
    await Promise.all([
      store.recordAttempt(job.tenant, job.webhook_id, job.delivery_id, attempt, "succeeded", deps.clock.now()),
      store.recordSuccess(job.tenant, job.webhook_id),
    ]);
    logger.info("webhook delivered", logged);
    return;
  }

  const { disabled } = await store.recordFailure(job.tenant, job.webhook_id, now, deps.settings.disableAfterMs);
  if (disabled) {
    await store.recordAttempt(job.tenant, job.webhook_id, job.delivery_id, attempt, "failed", deps.clock.now());
    logger.warn("webhook endpoint disabled: failing for too long", { ...logged, error: result.error });
    return;
  }
  const last = delivery.receiveCount >= deps.settings.maxAttempts;
  await store.recordAttempt(job.tenant, job.webhook_id, job.delivery_id, attempt, last ? "dead_lettered" : "pending", deps.clock.now());
  logger.warn(last ? "webhook failed its last attempt; dead-lettered" : "webhook failed; retried later", { ...logged, error: result.error });
  throw new WebhookPostFailed(result.error ?? "unknown");
}
