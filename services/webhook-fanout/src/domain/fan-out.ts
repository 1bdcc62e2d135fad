import type { MessageRecord, WebhookJob } from "@herald/contracts";
import type { Logger } from "@herald/platform";
import { messageKey, PARTITIONS } from "@herald/table";
import { eventsOf, jobsFor, type WebhookEndpoint, type WebhookStore } from "@herald/webhooks";

/**
 * One DynamoDB Streams record, as both the Lambda event and the local poller give it, with its
 * images already unmarshalled. `sequenceNumber` is what a partial batch failure names.
 */
export type StreamChange = {
  eventId: string;
  eventName: "INSERT" | "MODIFY" | "REMOVE";
  sequenceNumber: string;
  pk: string | undefined;
  sk: string | undefined;
  newImage: Record<string, unknown> | undefined;
  oldImage: Record<string, unknown> | undefined;
};

/** Where the jobs go: the webhooks queue. Throws when any job of the call was not taken. */
export interface JobQueue {
  send(jobs: readonly WebhookJob[]): Promise<void>;
}

export type FanoutDeps = {
  endpoints: Pick<WebhookStore, "listEnabled">;
  jobs: JobQueue;
  /** A MSG# item → its record (recordFromItem of @herald/messages/dynamo): throws on an item that is not one. */
  readRecord: (item: Record<string, unknown>) => MessageRecord;
  logger: Logger;
};

/**
 * A batch of stream records → one webhook job per event and endpoint that wants it. In stream
 * order; the first record whose jobs cannot be queued stops the batch and is returned, so the
 * stream hands it (and what follows) back, and nothing after it is queued out of order. A record
 * already fanned out when a later one fails is fanned out again on the retry: the jobs carry the
 * same event and delivery ids, so the consumer and the receivers see one delivery.
 *
 * The tenant's endpoints are read once per batch (one Query per tenant), never cached across
 * batches, so an endpoint registered a moment ago gets the next change.
 */
export async function fanOut(changes: readonly StreamChange[], deps: FanoutDeps): Promise<{ failedAt: string | undefined; jobs: number }> {
  const endpointsOf = new Map<string, Promise<WebhookEndpoint[]>>();
  let queued = 0;
  for (const change of changes) {
    try {
      const jobs = await jobsOf(change, deps, endpointsOf);
      if (jobs.length === 0) continue;
      await deps.jobs.send(jobs);
      queued += jobs.length;
    } catch (error) {
      deps.logger.warn("webhook jobs not queued; the stream hands the change back", {
        sequenceNumber: change.sequenceNumber,
        error: error instanceof Error ? error.name : "unknown",
      });
      return { failedAt: change.sequenceNumber, jobs: queued };
    }
  }
  return { failedAt: undefined, jobs: queued };
}

async function jobsOf(change: StreamChange, deps: FanoutDeps, endpointsOf: Map<string, Promise<WebhookEndpoint[]>>): Promise<WebhookJob[]> {
  // The message record only: a message's content item (sk CONTENT) changes no status.
  const record = change.pk?.startsWith(PARTITIONS.message) && change.sk === messageKey("").sk;
  if (!record || change.eventName === "REMOVE" || !change.newImage) return [];
  let after: MessageRecord;
  let before: MessageRecord | undefined;
  try {
    after = deps.readRecord(change.newImage);
    before = change.oldImage ? deps.readRecord(change.oldImage) : undefined;
  } catch (error) {
    // Not a record this code can read: retrying cannot help, and it must not hold the stream up.
    deps.logger.error("stream record skipped: not a message record", {
      sequenceNumber: change.sequenceNumber,
      error: error instanceof Error ? error.name : "unknown",
    });
    return [];
  }
  const events = eventsOf({ changeId: change.eventId, before, after });
  if (events.length === 0) return [];
  let endpoints = endpointsOf.get(after.tenant);
  if (!endpoints) {
    endpoints = deps.endpoints.listEnabled(after.tenant);
    endpointsOf.set(after.tenant, endpoints);
    // a failed read is asked again by the next record (and by the stream's retry)
    endpoints.catch(() => endpointsOf.delete(after.tenant));
  }
  return jobsFor(events, await endpoints, after.tenant);
}
