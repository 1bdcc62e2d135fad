import {
  MAX_SEND_AT_AHEAD_SECONDS,
  canonicalEmail,
  contentRules,
  recipientsOf,
  type Accepted,
  type Identity,
  type MessageContent,
  type MessageRecord,
  type QueueEnvelope,
  type SendMessage,
} from "@herald/contracts";
import type { MessageStore } from "@herald/messages";
import type { MessageQueue } from "@herald/queue";
import { UnavailableError, ValidationError, type Clock, type Logger } from "@herald/platform";
import type { IdempotencyStore } from "../ports/idempotency-store";
import { idempotencyKey, idempotent } from "./idempotent";
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
export async function acceptMessage(message: SendMessage, identity: Identity, deps: AcceptDeps): Promise<Accepted> {
  const prepared = prepareMessage(message, identity, deps);
  const { record, envelope, delaySeconds } = prepared;
  // SMS quota (sms-policy.ts): taken last, given back if the message is not queued after all.
  await takeSmsQuota(record, deps.sms);
  await deps.store.create(record).catch(async (error: unknown) => {
    await giveBackSmsQuota(record, deps.sms, deps.logger);
    throw error;
  });
  try {
    if (record.store_secure) await deps.queue.enqueue("secure-store", envelope);
    await deps.queue.enqueue(record.channel, envelope, { delaySeconds });
  } catch (error) {
    await markEnqueueFailed(record.id, deps, error);
    await giveBackSmsQuota(record, deps.sms, deps.logger);
    throw enqueueFailed(error);
  }
  logQueued(record, deps);
  return accepted(record);
}

/**
 * acceptMessage at most once per Idempotency-Key (the header's value, if any) of this principal:
 * POST /v1/messages and the legacy POST /msg, which answer the outcome each in its own shape.
 */
export async function acceptOnce(
  message: SendMessage,
  identity: Identity,
  idempotencyHeader: string | undefined,
  deps: AcceptDeps & { idempotency: IdempotencyStore },
): Promise<{ accepted: Accepted; replayed: boolean }> {
  const key = idempotencyKey(idempotencyHeader);
  const scope = key === undefined ? undefined : { tenant: identity.tenant, principal: identity.principal, key };
  const outcome = await idempotent(deps.idempotency, scope, message, deps.clock, async () => ({
    status: 202,
    body: await acceptMessage(message, identity, deps),
  }));
  return { accepted: outcome.body as Accepted, replayed: outcome.replayed };
}

export type Prepared = { record: MessageRecord; envelope: QueueEnvelope; delaySeconds: number };

/** Validates what the schema cannot (sender, send_at, SMS country) and builds the record and its envelope. */
export function prepareMessage(message: SendMessage, identity: Identity, deps: AcceptDeps): Prepared {
  checkSmsCountry(message, deps.sms);
  const now = deps.clock.now();
  const delaySeconds = sendDelay(message.send_at, now);
  const content = contentOf(message, deps.senders);
  const at = now.toISOString();
  const record: MessageRecord = {
    id: deps.newId(),
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

export async function markEnqueueFailed(id: string, deps: AcceptDeps, error: unknown): Promise<void> {
  deps.logger.error("enqueue failed", { messageId: id, error: error instanceof Error ? error.name : "unknown" });
  await deps.store
    .transition(id, {
      to: "failed",
      at: deps.clock.now(),
      from: ["queued"],
      code: "queue.enqueue_failed",
      reason: "the message could not be queued and was not sent",
    })
    .catch((e: unknown) =>
      deps.logger.error("marking enqueue failure failed", { messageId: id, error: e instanceof Error ? e.name : "unknown" }),
    );
}

export const enqueueFailed = (cause?: unknown) =>
  new UnavailableError("queue.unavailable", "The message could not be queued; it was not sent. Retry later.", cause);

export function logQueued(record: MessageRecord, deps: AcceptDeps): void {
  deps.logger.info("message queued", {
    messageId: record.id,
    channel: record.channel,
    recipients: record.recipients.length,
    storeSecure: record.store_secure,
  });
}

export const accepted = (record: MessageRecord): Accepted => ({
  id: record.id,
  status: "queued",
  channel: record.channel,
  created_at: record.created_at,
});

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
