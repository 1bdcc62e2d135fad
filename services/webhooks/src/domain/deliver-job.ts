import type { WebhookAttempt, WebhookJob } from "@herald/contracts";
import { TransientError, type Clock, type Logger } from "@herald/platform";
import { NotStartedError } from "@herald/queue";
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

export type JobDelivery = {
  receiveCount: number;
  /**
   * The batch's remaining time less one record's budget (RecordContext.spareMs): the record was
   * started with it at or above 0; below 0 now, the steps before the post used part of the
   * margin, and the post gets that much less. Unbounded when absent.
   */
  spareMs?: () => number;
};

/** A post shorter than this is not worth starting: the record is handed back untouched instead. */
const MIN_POST_MS = 100;

/** A post that did not succeed: retried with backoff (the queue's visibility timeout) until the last attempt. */
export class WebhookPostFailed extends TransientError {
  constructor(detail: string) {
    super("webhooks.post_failed", `webhook post failed: ${detail}`);
    this.name = "WebhookPostFailed";
  }
}

/**
 * One job: one event posted to one endpoint, signed. A 2xx is success; anything else is recorded
 * as an attempt and thrown (the queue backs it off and delivers it again), the delivery staying
 * `pending`, until the last attempt, which marks it `dead_lettered` and lets the job go to the
 * DLQ. A disabled endpoint is not posted to (the delivery is `skipped`); nor is a deleted one (a
 * delivery begun before the delete ends `skipped`, none is begun after it); a duplicate job for
 * a delivery that already ended is not posted again. A failure past the endpoint's disable
 * window disables it and ends the delivery `failed`, not thrown: its jobs are skipped from then on.
 */
export async function deliverJob(job: WebhookJob, delivery: JobDelivery, deps: WebhookDeps): Promise<void> {
  const { store, logger } = deps;
  const fields = { webhookId: job.webhook_id, deliveryId: job.delivery_id, attempt: delivery.receiveCount, type: job.event.type };
  const now = deps.clock.now();
  const endpoint = await store.get(job.tenant, job.webhook_id);
  if (!endpoint) {
    // No delivery log for an endpoint that is gone (its deliveries are not shown any more): one
    // begun before the delete is closed, none is begun after it.
    const known = await store.getDelivery(job.tenant, job.webhook_id, job.delivery_id);
    if (known?.status === "pending") await store.setDeliveryStatus(job.tenant, job.webhook_id, job.delivery_id, "skipped", now);
    logger.info("webhook skipped", { ...fields, why: "endpoint deleted" });
    return;
  }
  const fresh = await store.startDelivery({
    id: job.delivery_id,
    tenant: job.tenant,
    webhook_id: job.webhook_id,
    event_id: job.event_id,
    type: job.event.type,
    message_id: job.event.data.message_id,
    created_at: job.event.timestamp,
    event: job.event,
  });
  if (!fresh && !job.manual) {
    const known = await store.getDelivery(job.tenant, job.webhook_id, job.delivery_id);
    if (known && known.status !== "pending") {
      logger.info("webhook delivery already ended; duplicate job dropped", { ...fields, status: known.status });
      return;
    }
  }
  if (!endpoint.enabled) {
    await store.setDeliveryStatus(job.tenant, job.webhook_id, job.delivery_id, "skipped", now);
    logger.info("webhook skipped", { ...fields, why: "endpoint disabled" });
    return;
  }

  const secrets = await Promise.all(signingSecrets(endpoint.secrets, now).map((secret) => deps.openSecret(job.tenant, endpoint.id, secret)));
  const body = JSON.stringify(job.event);
  const timeoutMs = postTimeoutMs(deps.settings.timeoutMs, delivery.spareMs?.() ?? Number.POSITIVE_INFINITY);
  if (timeoutMs < MIN_POST_MS) throw new NotStartedError("too little time left for the post");
  const result = await deps.post({
    url: endpoint.url,
    body,
    headers: signatureHeaders(job.event_id, now, body, secrets),
    timeoutMs,
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

/*
 * A record starts only with a whole budget left (the post's timeout plus RECORD_MARGIN_MS for
 * the store's calls): spare is what is left beyond it. When the reads and the secrets' opening
 * before the post took more than their share, spare is negative and the post is cut by as much,
 * so the writes after it still fit and a slow endpoint never holds the consumer past its budget.
 */
export const postTimeoutMs = (timeoutMs: number, spareMs: number): number => Math.floor(Math.min(timeoutMs, timeoutMs + Math.min(0, spareMs)));
