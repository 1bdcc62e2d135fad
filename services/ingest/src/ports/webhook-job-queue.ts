import type { WebhookJob } from "@herald/contracts";

/** The webhooks queue, as POST /v1/webhooks/{id}/deliveries/{delivery}/retry puts a delivery back on it. */
export interface WebhookJobQueue {
  enqueue(job: WebhookJob): Promise<void>;
}
