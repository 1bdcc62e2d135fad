import {
  MAX_SEND_AT_AHEAD_SECONDS,
  canonicalEmail,
  type Accepted,
  type Identity,
  type MessageContent,
  type MessageRecord,
  type QueueEnvelope,
} from "@herald/contracts";
import { contentRules, recipientsOf, type SendMessage } from "@herald/contracts/send";
import type { MessageStore, SuppressionList } from "@herald/messages";
import type { MessageQueue } from "@herald/queue";
import { UnavailableError, ValidationError, type Clock, type Logger } from "@herald/platform";
import type { IdempotencyScope, IdempotencyStore, KeyClaim } from "../ports/idempotency-store";
import { claimKey, completeKey, IDEMPOTENCY_LEASE_SECONDS, idempotencyKey, releaseKey, type ClaimOptions } from "./idempotent";
import { checkSmsCountry, giveBackSmsQuota, takeSmsQuota, type SmsPolicy } from "./sms-policy";

export type AcceptDeps = {
  store: MessageStore;
  queue: MessageQueue;
  clock: Clock;
  newId: () => string;
  logger: Logger;
  senders: { default: string; allowed: readonly string[] };
  /** HERALD_SMS_COUNTRIES and the daily quota (sms-policy.ts); none when undefined. */
  sms?: SmsPolicy;
  /** The tenants' suppression lists: a suppressed recipient is left out, and said so in the 202. */
  suppressions?: SuppressionList;
  /**
   * Where a queued message is reported: a "message queued" line of its own when undefined; a
   * route that sends one message hands its fields to the request's access line instead
   * (app.ts), so a send costs one log line, not two.
   */
  onQueued?: (fields: QueuedFields) => void;
};

/** What is logged of a queued message: ids and counts, never an address or content. */
export type QueuedFields = { messageId: string; channel: string; recipients: number; storeSecure: boolean };

export type IdempotentDeps = AcceptDeps & {
  idempotency: IdempotencyStore;
  /** Default IDEMPOTENCY_LEASE_SECONDS. */
  idempotencyLeaseSeconds?: number;
};

// A client clock a few seconds ahead of ours should not turn "in 15 minutes" into a 400.
const SEND_AT_SKEW_SECONDS = 30;

/**
 * Records a message as `queued`, then queues it. Nothing is reported accepted that is not queued:
 * if an enqueue fails the record says `failed` (queue.enqueue_failed) and the caller gets a 503.
 *
 * A store_secure message is recorded without its content; the content travels on the encrypted
 * queues instead: first to the secure-store consumer (which seals it into the record), then to
 * its channel's consumer (which sends it).
 */
export async function acceptMessage(message: SendMessage, identity: Identity, deps: AcceptDeps, id = deps.newId()): Promise<Accepted> {
  const prepared = prepareMessage(message, identity, deps, id);
  const { record } = prepared;
  await markSuppressed([record], deps);
  // Every recipient suppressed: recorded failed (so it can be looked up), nothing queued or sent.
  if (record.status === "failed") {
    await deps.store.create(record);
    deps.logger.info("every recipient suppressed; not queued", { messageId: record.id, recipients: record.recipients.length });
    return accepted(record);
  }
  // SMS quota (sms-policy.ts): taken last, given back if the message is not queued after all.
  await takeSmsQuota(record, deps.sms);
  await deps.store.create(record).catch(async (error: unknown) => {
    await giveBackSmsQuota(record, deps.sms, deps.logger);
    throw error;
  });
  await queueMessage(prepared, deps);
  return accepted(record);
}

async function queueMessage({ record, envelope, delaySeconds }: Prepared, deps: AcceptDeps): Promise<void> {
  try {
    if (record.store_secure) await deps.queue.enqueue("secure-store", envelope);
    await deps.queue.enqueue(record.channel, envelope, { delaySeconds });
  } catch (error) {
    await markEnqueueFailed(record.id, deps, error);
    await giveBackSmsQuota(record, deps.sms, deps.logger);
    throw enqueueFailed(error);
  }
  logQueued(record, deps);
}

/**
 * acceptMessage at most once per Idempotency-Key (the header's value, if any) of this principal:
 * POST /v1/messages and the legacy POST /msg, which answer the outcome each in its own shape.
 * The key names its message's id from the start, so a retry that takes over a key whose request
 * died (its lease ran out) answers from that message's record instead of making a second one.
 */
export async function acceptOnce(
  message: SendMessage,
  identity: Identity,
  idempotencyHeader: string | undefined,
  deps: IdempotentDeps,
): Promise<{ accepted: Accepted; replayed: boolean }> {
  const key = idempotencyKey(idempotencyHeader);
  if (key === undefined) return { accepted: await acceptMessage(message, identity, deps), replayed: false };
  const scope = { tenant: identity.tenant, principal: identity.principal, key };
  const claimed = await claimKey(deps.idempotency, scope, message, claimOptions(deps, deps.newId()));
  if ("replay" in claimed) return { accepted: claimed.replay.body as Accepted, replayed: true };
  const { claim } = claimed;
  let outcome: { accepted: Accepted; replayed: boolean } | undefined;
  try {
    const earlier = claim.takenOver ? await deps.store.get(claim.messageId) : undefined;
    outcome = earlier
      ? { accepted: await resumeMessage(earlier, message, identity, deps), replayed: true }
      : { accepted: await acceptMessage(message, identity, deps, claim.messageId), replayed: false };
  } finally {
    if (!outcome) await releaseUnlessLive(deps, scope, claim);
  }
  await completeKey(deps.idempotency, scope, claim, { status: 202, body: outcome.accepted }, deps.logger);
  return outcome;
}

export const claimOptions = (deps: IdempotentDeps, messageId: string): ClaimOptions => ({
  clock: deps.clock,
  leaseSeconds: deps.idempotencyLeaseSeconds ?? IDEMPOTENCY_LEASE_SECONDS,
  messageId,
});

/**
 * The message an earlier request under the same key recorded before it lost the key (found
 * after a takeover), answered as it stands. Still `queued`, its envelope may never have reached
 * the queue (that request died between the two), so it is queued again: the consumers claim a
 * message before sending it, so a second envelope of one that did get there sends nothing twice.
 * One that could not be queued (failed, queue.enqueue_failed) is answered as its request was.
 */
export async function resumeMessage(record: MessageRecord, message: SendMessage, identity: Identity, deps: AcceptDeps): Promise<Accepted> {
  if (neverQueued(record)) throw enqueueFailed();
  if (record.status === "queued") {
    const { envelope, delaySeconds } = prepareMessage(message, identity, deps, record.id);
    await queueMessage({ record, envelope, delaySeconds }, deps);
  }
  return accepted(record);
}

/**
 * After a request under a key failed: the key is given back only when no message that went on is
 * recorded under its id (none, or one marked failed because it could not be queued), so a retry
 * starts afresh. Otherwise, or when the store cannot tell, the key waits out its lease, and the
 * retry that takes it over answers from the record: never two messages for one key.
 */
export async function releaseUnlessLive(deps: IdempotentDeps, scope: IdempotencyScope, claim: KeyClaim): Promise<void> {
  let record: MessageRecord | undefined;
  try {
    record = await deps.store.get(claim.messageId);
  } catch (error) {
    deps.logger.warn("idempotency key kept until its lease ends: its message could not be read", {
      messageId: claim.messageId,
      error: error instanceof Error ? error.name : "unknown",
    });
    return;
  }
  if (record && !neverQueued(record)) {
    deps.logger.warn("idempotency key kept until its lease ends: its message went on", { messageId: claim.messageId });
    return;
  }
  await releaseKey(deps.idempotency, scope, claim, deps.logger);
}

/** The record of a message that could not be queued and so was never sent. */
export const neverQueued = (record: MessageRecord) => record.status === "failed" && record.failure?.code === ENQUEUE_FAILED;

export type Prepared = { record: MessageRecord; envelope: QueueEnvelope; delaySeconds: number };

/** Validates what the schema cannot (sender, send_at, SMS country) and builds the record and its envelope. */
export function prepareMessage(message: SendMessage, identity: Identity, deps: AcceptDeps, id = deps.newId()): Prepared {
  checkSmsCountry(message, deps.sms);
  const now = deps.clock.now();
  const delaySeconds = sendDelay(message.send_at, now);
  const content = contentOf(message, deps.senders);
  const at = now.toISOString();
  const record: MessageRecord = {
    id,
    tenant: identity.tenant,
    principal: identity.principal,
    channel: message.channel,
    status: "queued",
    created_at: at,
    updated_at: at,
    ...(message.send_at !== undefined && { send_at: new Date(message.send_at).toISOString() }),
    store_secure: message.store_secure,
    recipients: recipientsOf(message),
    ...(!message.store_secure && { content }),
    ...contentRules(message.channel).recordFields?.(message),
    ...(message.metadata && { metadata: message.metadata }),
    attempts: 0,
    history: [{ status: "queued", at }],
  };
  const envelope: QueueEnvelope = {
    v: 1,
    id: record.id,
    tenant: record.tenant,
    principal: record.principal,
    channel: record.channel,
    ...(message.store_secure && { content }),
  };
  return { record, envelope, delaySeconds };
}

const ENQUEUE_FAILED = "queue.enqueue_failed";

export async function markEnqueueFailed(id: string, deps: AcceptDeps, error: unknown): Promise<void> {
  deps.logger.error("enqueue failed", { messageId: id, error: error instanceof Error ? error.name : "unknown" });
  await deps.store
    .transition(id, {
      to: "failed",
      at: deps.clock.now(),
      from: ["queued"],
      code: ENQUEUE_FAILED,
      reason: "the message could not be queued and was not sent",
    })
    .catch((e: unknown) =>
      deps.logger.error("marking enqueue failure failed", { messageId: id, error: e instanceof Error ? e.name : "unknown" }),
    );
}

export const enqueueFailed = (cause?: unknown) =>
  new UnavailableError("queue.unavailable", "The message could not be queued; it was not sent. Retry later.", cause);

export function logQueued(record: MessageRecord, deps: AcceptDeps): void {
  const fields = { messageId: record.id, channel: record.channel, recipients: record.recipients.length, storeSecure: record.store_secure };
  if (deps.onQueued) deps.onQueued(fields);
  else deps.logger.info("message queued", fields);
}

export const accepted = (record: MessageRecord): Accepted => {
  const suppressed = record.recipients.filter((r) => record.outcomes?.[r]?.status === "suppressed");
  return {
    id: record.id,
    status: allSuppressed(record) ? "failed" : "queued",
    channel: record.channel,
    created_at: record.created_at,
    ...(suppressed.length > 0 && { suppressed }),
  };
};

export const SUPPRESSED = { code: "message.suppressed", reason: "suppressed" } as const;
const allSuppressed = (record: MessageRecord) => record.status === "failed" && record.failure?.code === SUPPRESSED.code;

/**
 * Checks new records' recipients against their tenants' suppression lists (one read for all of
 * them) and marks the suppressed ones on the record (outcome `suppressed`: the consumer leaves
 * them out); a record with no recipient left is `failed` with reason `suppressed` instead.
 */
export async function markSuppressed(records: MessageRecord[], deps: AcceptDeps): Promise<void> {
  if (!deps.suppressions || records.length === 0) return;
  const byTenant = new Map<string, MessageRecord[]>();
  for (const r of records) byTenant.set(r.tenant, [...(byTenant.get(r.tenant) ?? []), r]);
  for (const [tenant, list] of byTenant) {
    const found = await deps.suppressions.find(tenant, list.flatMap((r) => r.recipients));
    if (found.size === 0) continue;
    for (const record of list) {
      const hit = record.recipients.filter((r) => found.has(r));
      if (hit.length === 0) continue;
      record.outcomes = { ...record.outcomes, ...Object.fromEntries(hit.map((r) => [r, { status: "suppressed" as const, at: record.created_at, code: SUPPRESSED.code }])) };
      if (hit.length === record.recipients.length) {
        record.status = "failed";
        record.failure = { ...SUPPRESSED };
        record.history.push({ status: "failed", at: record.created_at, ...SUPPRESSED, recipients: hit.length });
      }
    }
  }
}

/** The content as its channel records it; on a channel with senders, only an allowed one. */
function contentOf(message: SendMessage, senders: AcceptDeps["senders"]): MessageContent {
  const rules = contentRules(message.channel);
  const from = rules.requestedSender ? (rules.requestedSender(message) ?? senders.default) : undefined;
  if (from !== undefined && !senderAllowed(from, senders.allowed)) {
    throw new ValidationError(
      "The sender is not a configured, verified sender",
      [{ path: "from", message: "is not a configured, verified sender" }],
      "email.sender_not_allowed",
    );
  }
  return rules.content(message, from);
}

function sendDelay(sendAt: string | undefined, now: Date): number {
  if (sendAt === undefined) return 0;
  const seconds = (Date.parse(sendAt) - now.getTime()) / 1000;
  if (seconds > MAX_SEND_AT_AHEAD_SECONDS + SEND_AT_SKEW_SECONDS) {
    throw new ValidationError("send_at is too far ahead", [
      { path: "send_at", message: `must be at most ${MAX_SEND_AT_AHEAD_SECONDS / 60} minutes ahead` },
    ]);
  }
  return Math.min(MAX_SEND_AT_AHEAD_SECONDS, Math.max(0, Math.ceil(seconds)));
}

export function senderAllowed(from: string, allowed: readonly string[]): boolean {
  const address = canonicalEmail(from);
  const domain = address.slice(address.lastIndexOf("@"));
  return allowed.some((entry) => {
    const e = canonicalEmail(entry);
    return e === address || (e.startsWith("@") && e === domain);
  });
}
