import { isTerminal, type QueueEnvelope } from "@herald/contracts";
import type { MessageStore } from "@herald/messages";
import { AppError, TransientError, type Clock, type Logger } from "@herald/platform";
import type { EmailSender } from "../ports/email-sender";

export type HandleDeps = {
  store: MessageStore;
  sender: EmailSender;
  clock: Clock;
  logger: Logger;
  claimLeaseSeconds: number;
  maxReceives: number;
};

export type Delivery = { receiveCount: number };

/**
 * Sends one queued email and records the outcome. Safe under SQS's at-least-once delivery: the
 * message is claimed with a conditional write before the provider is called, and a message that
 * is already final is acknowledged without sending.
 *
 * The one window left: the provider accepted the email and the process died before `sent` was
 * written. The claim's lease then runs out and the message is sent again (at most once per crash).
 *
 * Throws for a transient failure, so the queue delivers it again; returns for success and for a
 * permanent failure, which is recorded on the message.
 */
export async function handleEmailMessage(envelope: QueueEnvelope, delivery: Delivery, deps: HandleDeps): Promise<void> {
  const { store } = deps;
  // Records of a batch run in parallel: each gets its own child logger, so keys never cross.
  const logger = deps.logger.createChild();
  logger.appendKeys({ messageId: envelope.id });
  const current = await store.get(envelope.id);
  if (!current || current.tenant !== envelope.tenant) {
    logger.warn("message record not found; dropping", { receiveCount: delivery.receiveCount });
    return;
  }
  if (isTerminal(current.status)) {
    logger.info("already final; not sending again", { status: current.status });
    return;
  }

  const claim = await store.claim(envelope.id, deps.clock.now(), deps.claimLeaseSeconds);
  if (!claim.claimed) {
    if (claim.record && isTerminal(claim.record.status)) return;
    throw new TransientError("message.claim_held", "another worker is sending this message");
  }
  const content = claim.record.content;
  if (!content || content.channel !== "email") {
    await store.transition(envelope.id, {
      to: "failed",
      at: deps.clock.now(),
      from: ["sending"],
      code: "message.content_missing",
      reason: "the message has no email content to send (erased?)",
    });
    logger.warn("no content; failed", { status: "failed" });
    return;
  }

  const started = performance.now();
  let providerMessageId: string;
  try {
    ({ providerMessageId } = await deps.sender.send(content));
  } catch (error) {
    const appError =
      error instanceof AppError ? error : new TransientError("email.unexpected", "unexpected error while sending", error);
    const last = delivery.receiveCount >= deps.maxReceives;
    const to = !appError.retryable ? "failed" : last ? "dead_lettered" : "retrying";
    await store.transition(envelope.id, {
      to,
      at: deps.clock.now(),
      from: ["sending"],
      code: appError.code,
      reason: appError.message,
    });
    logger.warn("send failed", {
      status: to,
      code: appError.code,
      receiveCount: delivery.receiveCount,
      ms: Math.round(performance.now() - started),
    });
    if (appError.retryable) throw appError;
    return;
  }

  await store.transition(envelope.id, { to: "sent", at: deps.clock.now(), from: ["sending"], providerMessageId });
  logger.info("message sent", {
    status: "sent",
    providerMessageId,
    receiveCount: delivery.receiveCount,
    ms: Math.round(performance.now() - started),
  });
}
