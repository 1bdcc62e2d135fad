import type { MessageStore, ProviderEvent, SuppressionList } from "@herald/messages";
import { applyProviderEvent } from "@herald/messages";
import type { Clock, Logger } from "@herald/platform";

export type TwilioStatusDeps = { store: MessageStore; suppressions?: SuppressionList; clock: Clock; logger: Logger };

/** Twilio's MessageStatus values that say what became of the SMS; the rest (queued, sending, sent, ...) say nothing new. */
const FINAL: Record<string, ProviderEvent["status"]> = { delivered: "delivered", read: "delivered", undelivered: "undelivered", failed: "failed" };

/** Twilio's error code for a recipient who replied STOP: the number is suppressed. */
const UNSUBSCRIBED = "21610";

/**
 * One status callback (already authenticated by its signature) applied with the same
 * latest-truth rule as SES's events. Callbacks carry no time of their own and arrive in any order
 * (a multi-part SMS sends several): a final status beats a non-final one, and among finals the
 * first to arrive stands. A callback for an unknown message is logged and answered, not failed:
 * Twilio would only retry it.
 */
export async function applyTwilioStatus(
  messageId: string,
  params: Record<string, string>,
  deps: TwilioStatusDeps,
): Promise<void> {
  const logger = deps.logger.createChild();
  logger.appendKeys({ messageId, twilioStatus: params.MessageStatus });
  const status = FINAL[params.MessageStatus ?? ""];
  if (!status) {
    logger.debug("status callback says nothing final");
    return;
  }
  const event: ProviderEvent = { provider: "twilio", status, at: undefined, ...(params.ErrorCode && { code: `twilio.${params.ErrorCode}` }) };
  const { record, change } = await deps.store.applyEvent(messageId, (current) => {
    // The signature covers the URL (with our message id) and the SID: both must name one message.
    if (current.channel !== "sms" || (current.provider_message_id !== undefined && params.MessageSid !== undefined && current.provider_message_id !== params.MessageSid)) {
      return undefined;
    }
    return applyProviderEvent(current, event, deps.clock.now());
  });
  if (!record) {
    logger.warn("status callback for an unknown message; dropped");
    return;
  }
  logger.info(change ? "status callback applied" : "status callback changed nothing", { status: record.status });
  if (params.ErrorCode === UNSUBSCRIBED && deps.suppressions) {
    for (const address of record.recipients) {
      await deps.suppressions.add(record.tenant, { address, reason: "unsubscribed", created_at: deps.clock.now().toISOString(), message_id: record.id });
    }
  }
}
