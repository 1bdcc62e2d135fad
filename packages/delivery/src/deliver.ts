import { isTerminal, type MessageContent, type MessageRecord, type QueueEnvelope, type StatusEvent, withoutRecipients } from "@herald/contracts";
import type { MessageStore, RateLimiter, SuppressionList } from "@herald/messages";
import { AppError, TransientError, type Clock, type Logger } from "@herald/platform";
import { NotStartedError } from "@herald/queue";

export type DeliverDeps = {
  store: MessageStore;
  clock: Clock;
  logger: Logger;
  /** How long a claim holds before another worker may retake it (its worker died). */
  claimLeaseSeconds: number;
  /** The queue's maxReceiveCount: on the last receive a still-failing message is dead-lettered. */
  maxReceives: number;
  /** The provider's send rate, shared by all workers; none when absent. */
  limiter?: RateLimiter;
  /** The tenants' suppression lists: suppressed recipients are left out before the provider is called. */
  suppressions?: SuppressionList;
};

/** Permanent failures that put the recipient on the tenant's suppression list (Twilio's 21610: unsubscribed). */
export const SUPPRESSING_CODES: Readonly<Record<string, "unsubscribed">> = { "sms.unsubscribed": "unsubscribed" };

export type Delivery = {
  receiveCount: number;
  /**
   * How long this record may still wait (for a send slot) and still finish within the batch's
   * time (see processSqsRecords' TimeBudget); below 0 it must not start. Unbounded when absent.
   */
  spareMs?: () => number;
};

export type SendResult = {
  providerMessageId: string;
  /** The provider's final answer, where it gives one worth keeping (an SMTP relay's reply). */
  providerReply?: string;
};

/** What a sender may tell `deliver` while it sends; recorded with the outcome. */
export type SendContext = {
  /** The Herald message id, e.g. for a Message-ID that stays the same on every attempt. */
  messageId: string;
  /** Called before each provider is tried: the outcome is recorded against the last one named. */
  attempt(provider: string): void;
  /** The provider last named failed transiently and the sender moves on to the next (failover). */
  failedOver(error: AppError): void;
};

/** Hands the content to the channel's provider; throws PermanentError or TransientError. */
export type Send = (content: MessageContent, context: SendContext) => Promise<SendResult>;

/**
 * Delivers one queued message and records the outcome; the same for every channel. Safe under
 * SQS's at-least-once delivery: the message is claimed with a conditional write before the
 * provider is called, and a message that is already final is acknowledged without sending.
 *
 * The one window left: the provider accepted the message and the process died before `sent` was
 * written. The claim's lease then runs out and the message is sent again (at most once per crash).
 *
 * Throws for a transient failure, so the queue delivers it again; returns for success and for a
 * permanent failure, which is recorded on the message.
 */
export async function deliver(envelope: QueueEnvelope, delivery: Delivery, deps: DeliverDeps, send: Send): Promise<void> {
  const { store } = deps;
  // Records of a batch run in parallel: each gets its own child logger, so keys never cross.
  const logger = deps.logger.createChild();
  logger.appendKeys({ messageId: envelope.id, channel: envelope.channel });
  const current = await store.get(envelope.id);
  if (!current || current.tenant !== envelope.tenant) {
    logger.warn("message record not found; dropping", { receiveCount: delivery.receiveCount });
    return;
  }
  if (isTerminal(current.status)) {
    logger.info("already final; not sending again", { status: current.status });
    return;
  }

  // The send slot before the claim: a wait that would use up the batch's time leaves the record
  // as it was (no claim, no attempt, nothing in its history) and hands it back to the queue. (A
  // slot taken for a message that then turns out held or final goes unused: rare, and harmless.)
  const spare = delivery.spareMs ?? (() => Number.POSITIVE_INFINITY);
  const slot = spare() < 0 ? false : deps.limiter ? await deps.limiter.acquire(spare()) : true;
  if (!slot) {
    logger.info("not started: too little time left in this batch", { receiveCount: delivery.receiveCount });
    throw new NotStartedError("too little time left in this batch");
  }

  const claim = await store.claim(envelope.id, deps.clock.now(), deps.claimLeaseSeconds);
  if (!claim.claimed) {
    if (claim.record && isTerminal(claim.record.status)) return;
    throw new TransientError("message.claim_held", "another worker is sending this message");
  }
  // A store_secure message keeps no plaintext in its record: its content travels in the envelope.
  const stored = claim.record.erased_at === undefined ? (claim.record.content ?? envelope.content) : undefined;
  const content = stored && stored.channel === envelope.channel ? await leaveOutSuppressed(claim.record, stored, deps, logger) : stored;
  if (content === "suppressed") {
    await store.transition(envelope.id, { to: "failed", at: deps.clock.now(), from: ["sending"], code: "message.suppressed", reason: "suppressed" });
    logger.info("every recipient suppressed; failed, nothing sent", { status: "failed" });
    return;
  }
  if (!content || content.channel !== envelope.channel) {
    const erased = claim.record.erased_at !== undefined;
    await store.transition(envelope.id, {
      to: "failed",
      at: deps.clock.now(),
      from: ["sending"],
      code: erased ? "message.erased" : "message.content_missing",
      reason: erased
        ? "the recipient's content was erased before it was sent"
        : `the message has no ${envelope.channel} content to send`,
    });
    logger.warn("no content; failed", { status: "failed", erased });
    return;
  }

  const started = performance.now();
  // Failed attempts at other providers within this one send (failover), written with the outcome.
  let provider: string | undefined;
  const earlier: StatusEvent[] = [];
  const context: SendContext = {
    messageId: envelope.id,
    attempt: (name) => {
      provider = name;
    },
    failedOver: (error) => {
      earlier.push({
        status: "sending",
        at: deps.clock.now().toISOString(),
        code: error.code,
        reason: error.message,
        ...(provider !== undefined && { provider }),
      });
      logger.warn("provider failed; failing over", { provider, code: error.code });
    },
  };
  let result: SendResult;
  try {
    result = await send(content, context);
  } catch (error) {
    const appError =
      error instanceof AppError
        ? error
        : new TransientError(`${envelope.channel}.unexpected`, "unexpected error while sending", error);
    const last = delivery.receiveCount >= deps.maxReceives;
    const to = !appError.retryable ? "failed" : last ? "dead_lettered" : "retrying";
    await store.transition(envelope.id, {
      to,
      at: deps.clock.now(),
      from: ["sending"],
      code: appError.code,
      reason: appError.message,
      ...(provider !== undefined && { provider }),
      earlier,
    });
    const suppressAs = !appError.retryable ? SUPPRESSING_CODES[appError.code] : undefined;
    if (suppressAs && deps.suppressions) await suppress(claim.record, suppressAs, deps, logger);
    logger.warn("send failed", {
      status: to,
      code: appError.code,
      provider,
      receiveCount: delivery.receiveCount,
      ms: Math.round(performance.now() - started),
    });
    // A store_secure envelope carries the plaintext (its record holds only the sealed copy), which
    // a dead-letter queue would keep for 14 days: on its last receive it is recorded dead_lettered
    // and acknowledged instead. Nothing is left to redrive; the caller sends it again.
    if (appError.retryable && !(last && envelope.content !== undefined)) throw appError;
    return;
  }

  await store.transition(envelope.id, {
    to: "sent",
    at: deps.clock.now(),
    from: ["sending"],
    providerMessageId: result.providerMessageId,
    ...(result.providerReply !== undefined && { providerReply: result.providerReply }),
    ...(provider !== undefined && { provider }),
    earlier,
  });
  logger.info("message sent", {
    status: "sent",
    provider,
    providerMessageId: result.providerMessageId,
    receiveCount: delivery.receiveCount,
    ms: Math.round(performance.now() - started),
  });
}

/**
 * The content without the recipients the tenant suppresses: those left out at ingest (their
 * outcome says `suppressed`) and those suppressed since (a bounce or complaint of an earlier
 * message), which are recorded as suppressed now. "suppressed" when no recipient is left.
 */
async function leaveOutSuppressed(
  record: MessageRecord,
  content: MessageContent,
  deps: DeliverDeps,
  logger: Logger,
): Promise<MessageContent | "suppressed"> {
  const earlier = record.recipients.filter((r) => record.outcomes?.[r]?.status === "suppressed");
  const rest = record.recipients.filter((r) => !earlier.includes(r));
  const now = deps.suppressions && rest.length > 0 ? [...(await deps.suppressions.find(record.tenant, rest))] : [];
  if (earlier.length + now.length === 0) return content;
  if (now.length > 0) {
    const at = deps.clock.now().toISOString();
    await deps.store.applyEvent(record.id, (current) => {
      const outcomes = { ...current.outcomes };
      for (const r of now) outcomes[r] = { status: "suppressed", at, code: "message.suppressed" };
      return { outcomes, event: { status: current.status, at, code: "message.suppressed", recipients: now.length }, changed: now.length };
    });
  }
  logger.info("suppressed recipients left out", { suppressed: earlier.length + now.length, recipients: record.recipients.length });
  return withoutRecipients(content, new Set([...earlier, ...now])) ?? "suppressed";
}

async function suppress(record: MessageRecord, reason: "unsubscribed", deps: DeliverDeps, logger: Logger): Promise<void> {
  const at = deps.clock.now().toISOString();
  try {
    for (const address of record.recipients) {
      await deps.suppressions?.add(record.tenant, { address, reason, created_at: at, message_id: record.id });
    }
    logger.info("recipient suppressed", { reason });
  } catch (error) {
    // The failure is recorded either way; a later send to the number fails the same and tries again.
    logger.warn("suppressing failed", { error: error instanceof Error ? error.name : "unknown" });
  }
}
