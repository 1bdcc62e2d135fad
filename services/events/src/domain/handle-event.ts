import type { MessageStore, SuppressionList } from "@herald/messages";
import { applyProviderEvent } from "@herald/messages";
import type { Clock, Logger } from "@herald/platform";
import { heraldMessageId, providerEvent, suppressionReason, type EventRecord } from "./ses-event";

export type EventDeps = { store: MessageStore; suppressions: SuppressionList; clock: Clock; logger: Logger };

/**
 * Applies one SES event: the outcomes of its recipients on the message (the latest truth per
 * recipient, see applyProviderEvent), then, for a permanent bounce or a complaint, the address on
 * the tenant's suppression list with the message that caused it. An event for a message Herald
 * does not know (no tag, another system's mail, an erased or deleted record) is logged and
 * dropped: retrying it would never succeed. Safe to repeat: a duplicate changes nothing, and a
 * suppression is added once.
 */
export async function handleEvent(record: EventRecord, deps: EventDeps): Promise<void> {
  const logger = deps.logger.createChild();
  if (record.kind === "ignored") {
    logger.info("not an event; dropped", { why: record.why });
    return;
  }
  const type = record.event.eventType ?? record.event.notificationType;
  const id = heraldMessageId(record.event);
  logger.appendKeys({ eventType: type, ...(id && { messageId: id }) });
  const event = providerEvent(record.event);
  if (!event) {
    logger.debug("event says nothing of the recipients; dropped");
    return;
  }
  if (!id) {
    logger.warn("event without a Herald message id; dropped");
    return;
  }
  const { record: message, change } = await deps.store.applyEvent(id, (current) => applyProviderEvent(current, event, deps.clock.now()));
  if (!message) {
    logger.warn("event for an unknown message; dropped");
    return;
  }
  logger.info(change ? "event applied" : "event changed nothing", {
    status: message.status,
    ...(change && { recipients: change.changed }),
    ...(event.bounceType !== undefined && { bounceType: event.bounceType, bounceSubtype: event.bounceSubtype }),
  });
  const reason = suppressionReason(event);
  if (!reason) return;
  for (const address of (event.recipients ?? []).filter((r) => message.recipients.includes(r))) {
    const added = await deps.suppressions.add(message.tenant, {
      address,
      reason,
      created_at: (event.at ?? deps.clock.now()).toISOString(),
      message_id: message.id,
      ...(event.bounceType !== undefined && { bounce_type: event.bounceType }),
      ...(event.bounceSubtype !== undefined && { bounce_subtype: event.bounceSubtype }),
    });
    if (added) logger.info("recipient suppressed", { reason });
  }
}
