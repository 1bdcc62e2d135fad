import { CHANNELS, SendMessage, type Accepted, type BatchItemResult, type BatchRequest, type Identity } from "@herald/contracts";
import type { QueueName } from "@herald/queue";
import { AppError, fieldErrors } from "@herald/platform";
import type { IdempotencyScope, IdempotencyStore } from "../ports/idempotency-store";
import {
  accepted,
  logQueued,
  markEnqueueFailed,
  prepareMessage,
  type AcceptDeps,
  type Prepared,
} from "./accept-message";
import { claimKey, idempotencyKey } from "./idempotent";
import { giveBackSmsQuota, takeSmsQuota } from "./sms-policy";

export type BatchDeps = AcceptDeps & { idempotency: IdempotencyStore };

type Pending = { index: number; prepared: Prepared; scope: IdempotencyScope | undefined };

const refused = (index: number, error: AppError): BatchItemResult => ({
  index,
  status: error.status,
  error: { code: error.code, detail: error.message, ...(error.errors && { errors: error.errors }) },
});

/**
 * Up to 100 messages in one call, each accepted or refused on its own: an invalid item does not
 * sink the batch. Records are written first, then the envelopes go out with SendMessageBatch
 * (10 a call) per queue; an item whose envelope SQS did not take is marked failed and answered
 * 503, as a single send would be. Each item may carry its own idempotency key.
 */
export async function acceptBatch(request: BatchRequest, identity: Identity, deps: BatchDeps): Promise<BatchItemResult[]> {
  const results: BatchItemResult[] = [];
  const pending: Pending[] = [];

  for (const [index, item] of request.items.entries()) {
    const parsed = SendMessage.safeParse(item.message);
    if (!parsed.success) {
      results[index] = refused(index, new AppError("request.invalid", "The message has invalid fields", {
        status: 400,
        errors: fieldErrors(parsed.error, `items.${index}.message`),
      }));
      continue;
    }
    try {
      const key = idempotencyKey(item.idempotency_key, `items.${index}.idempotency_key`);
      const prepared = prepareMessage(parsed.data, identity, deps);
      const scope = key === undefined ? undefined : { tenant: identity.tenant, principal: identity.principal, key };
      const first = scope && (await claimKey(deps.idempotency, scope, parsed.data, deps.clock));
      if (first) {
        const { id, channel, created_at } = first.body as Accepted;
        results[index] = { index, status: 202, id, channel, created_at, replayed: true };
        continue;
      }
      // SMS quota (sms-policy.ts): each SMS item takes one; refused, it is answered 429 and its key freed.
      await takeSmsQuota(prepared.record, deps.sms).catch(async (error: unknown) => {
        if (scope) await deps.idempotency.release(scope);
        throw error;
      });
      pending.push({ index, prepared, scope });
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      results[index] = refused(index, error);
    }
  }

  const fail = async (p: Pending, cause?: unknown) => {
    await markEnqueueFailed(p.prepared.record.id, deps, cause);
    await giveBackSmsQuota(p.prepared.record, deps.sms, deps.logger);
    if (p.scope) await deps.idempotency.release(p.scope);
    results[p.index] = refused(p.index, new AppError("queue.unavailable", "The message could not be queued; it was not sent. Retry later.", { status: 503 }));
  };

  const created: Pending[] = [];
  await Promise.all(
    pending.map(async (p) => {
      try {
        await deps.store.create(p.prepared.record);
        created.push(p);
      } catch (error) {
        await giveBackSmsQuota(p.prepared.record, deps.sms, deps.logger);
        if (p.scope) await deps.idempotency.release(p.scope);
        results[p.index] = refused(p.index, new AppError("store.unavailable", "The message could not be recorded; it was not sent. Retry later.", { status: 503, cause: error }));
      }
    }),
  );

  // store_secure content goes to the secure-store queue first; only what got there goes on.
  const secure = created.filter((p) => p.prepared.record.store_secure);
  const toChannels = new Set(created.filter((p) => !p.prepared.record.store_secure));
  const secureQueued = await sendAll(deps, "secure-store", secure, false);
  for (const [i, p] of secure.entries()) {
    if (secureQueued[i]) toChannels.add(p);
    else await fail(p);
  }
  for (const channel of CHANNELS) {
    const batch = [...toChannels].filter((p) => p.prepared.record.channel === channel);
    const queued = await sendAll(deps, channel, batch, true);
    for (const [i, p] of batch.entries()) {
      if (!queued[i]) {
        await fail(p);
        continue;
      }
      const body = accepted(p.prepared.record);
      if (p.scope) await deps.idempotency.complete(p.scope, { status: 202, body });
      logQueued(p.prepared.record, deps);
      results[p.index] = { index: p.index, status: 202, id: body.id, channel: body.channel, created_at: body.created_at };
    }
  }
  return results;
}

async function sendAll(deps: BatchDeps, queue: QueueName, items: Pending[], withDelay: boolean): Promise<boolean[]> {
  if (items.length === 0) return [];
  return deps.queue.enqueueBatch(
    queue,
    items.map((p) => ({ envelope: p.prepared.envelope, ...(withDelay && { delaySeconds: p.prepared.delaySeconds }) })),
  );
}
