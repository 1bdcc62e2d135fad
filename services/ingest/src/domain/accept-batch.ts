import { CHANNELS, type Accepted, type BatchItemResult, type BatchRequest, type Identity } from "@herald/contracts";
import { SendMessage } from "@herald/contracts/send";
import type { QueueName } from "@herald/queue";
import { AppError, fieldErrors } from "@herald/platform";
import type { IdempotencyScope, KeyClaim } from "../ports/idempotency-store";
import {
  accepted,
  claimOptions,
  logQueued,
  markEnqueueFailed,
  markSuppressed,
  neverQueued,
  prepareMessage,
  releaseUnlessLive,
  type IdempotentDeps,
  type Prepared,
} from "./accept-message";
import { claimKey, completeKey, idempotencyKey } from "./idempotent";
import { giveBackSmsQuota, takeSmsQuota } from "./sms-policy";

export type BatchDeps = IdempotentDeps;

/** A key this batch took, until it is completed or (in the end) given back. */
type Held = { scope: IdempotencyScope; claim: KeyClaim; settled: boolean };
/** `recorded`: the record exists already (an earlier request under the item's key wrote it). */
type Pending = { index: number; prepared: Prepared; held: Held | undefined; recorded: boolean };

const refused = (index: number, error: AppError): BatchItemResult => ({
  index,
  status: error.status,
  error: { code: error.code, detail: error.message, ...(error.errors && { errors: error.errors }) },
});

const notQueued = () => new AppError("queue.unavailable", "The message could not be queued; it was not sent. Retry later.", { status: 503 });

const answered = (index: number, body: Accepted, replayed: boolean): BatchItemResult => ({
  index,
  status: 202,
  id: body.id,
  channel: body.channel,
  created_at: body.created_at,
  ...(replayed && { replayed: true }),
  ...(body.status !== "queued" && { message_status: body.status }),
  ...(body.suppressed && { suppressed: body.suppressed }),
});

/**
 * Up to 100 messages in one call, each accepted or refused on its own: an invalid item does not
 * sink the batch. Records are written first, then the envelopes go out with SendMessageBatch
 * (10 a call) per queue; an item whose envelope SQS did not take is marked failed and answered
 * 503, as a single send would be. Each item may carry its own idempotency key, claimed as the
 * single send claims one (a key taken over after its lease answers from its message's record).
 * Whatever happens, a key the batch took and did not complete is given back unless a message that
 * went on is recorded under it: a batch that fails halfway leaves no key taken with nothing sent.
 */
export async function acceptBatch(request: BatchRequest, identity: Identity, deps: BatchDeps): Promise<BatchItemResult[]> {
  const held: Held[] = [];
  try {
    return await acceptItems(request, identity, deps, held);
  } finally {
    await Promise.all(held.filter((h) => !h.settled).map((h) => releaseUnlessLive(deps, h.scope, h.claim)));
  }
}

async function acceptItems(request: BatchRequest, identity: Identity, deps: BatchDeps, held: Held[]): Promise<BatchItemResult[]> {
  const results: BatchItemResult[] = [];
  const pending: Pending[] = [];
  const complete = async (h: Held, body: Accepted) => {
    h.settled = true;
    await completeKey(deps.idempotency, h.scope, h.claim, { status: 202, body }, deps.logger);
  };

  // A new message (not one an earlier request recorded) takes one of the tenant's SMS quota
  // (sms-policy.ts) before it is pending; refused, the item is answered 429 and its key given back.
  const admit = async (p: Pending) => {
    if (!p.recorded) await takeSmsQuota(p.prepared.record, deps.sms);
    pending.push(p);
  };

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
      if (key === undefined) {
        await admit({ index, prepared, held: undefined, recorded: false });
        continue;
      }
      const scope = { tenant: identity.tenant, principal: identity.principal, key };
      const claimed = await claimKey(deps.idempotency, scope, parsed.data, claimOptions(deps, prepared.record.id));
      if ("replay" in claimed) {
        results[index] = answered(index, claimed.replay.body as Accepted, true);
        continue;
      }
      const h: Held = { scope, claim: claimed.claim, settled: false };
      held.push(h);
      if (!h.claim.takenOver) {
        await admit({ index, prepared, held: h, recorded: false });
        continue;
      }
      // Taken over after its lease: the request that lost the key may have recorded its message.
      const earlier = await deps.store.get(h.claim.messageId);
      const mine = prepareMessage(parsed.data, identity, deps, h.claim.messageId);
      if (!earlier) await admit({ index, prepared: mine, held: h, recorded: false });
      else if (neverQueued(earlier)) results[index] = refused(index, notQueued());
      // Perhaps never queued (that request died between the two): queued again; consumers claim before sending.
      else if (earlier.status === "queued") await admit({ index, prepared: { ...mine, record: earlier }, held: h, recorded: true });
      else {
        results[index] = answered(index, accepted(earlier), true);
        await complete(h, accepted(earlier));
      }
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      results[index] = refused(index, error);
    }
  }

  // A key of an item that fails from here on is given back (or kept, if its message went on) by acceptBatch.
  const fail = async (p: Pending) => {
    await markEnqueueFailed(p.prepared.record.id, deps, undefined);
    await giveBackSmsQuota(p.prepared.record, deps.sms, deps.logger);
    results[p.index] = refused(p.index, notQueued());
  };

  // Suppressed recipients are marked on the new records (one read for the batch); an item with
  // none left is recorded failed and answered at once, its SMS quota given back.
  await markSuppressed(pending.filter((p) => !p.recorded).map((p) => p.prepared.record), deps);
  const created: Pending[] = pending.filter((p) => p.recorded);
  await Promise.all(
    pending.filter((p) => !p.recorded).map(async (p) => {
      if (p.prepared.record.status === "failed") {
        await giveBackSmsQuota(p.prepared.record, deps.sms, deps.logger);
        try {
          await deps.store.create(p.prepared.record);
          const body = accepted(p.prepared.record);
          if (p.held) await complete(p.held, body);
          results[p.index] = answered(p.index, body, false);
        } catch (error) {
          results[p.index] = refused(p.index, new AppError("store.unavailable", "The message could not be recorded; it was not sent. Retry later.", { status: 503, cause: error }));
        }
        return;
      }
      try {
        await deps.store.create(p.prepared.record);
        created.push(p);
      } catch (error) {
        await giveBackSmsQuota(p.prepared.record, deps.sms, deps.logger);
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
      if (p.held) await complete(p.held, body);
      logQueued(p.prepared.record, deps);
      results[p.index] = answered(p.index, body, p.recorded);
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
