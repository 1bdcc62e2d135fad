import {
  eventTypeOf,
  type MessageRecord,
  type RecipientOutcome,
  type WebhookEvent,
  type WebhookEventType,
  type WebhookJob,
  type WebhookRecipient,
} from "@herald/contracts";
import { maskRecipient } from "@herald/platform";
import { deliveryIdFor, eventIdFor } from "./ids";
import type { WebhookEndpoint } from "./webhook-store";

/**
 * One write to a message record, as DynamoDB Streams tells it: the images before and after, and
 * what identifies the write (the stream record's eventID: the same when the record is redelivered).
 */
export type RecordChange = { changeId: string; before: MessageRecord | undefined; after: MessageRecord };

/** An event of a change, before it is shaped for an endpoint (recipients in full). */
export type ChangeEvent = { id: string; type: WebhookEventType; event: WebhookEvent };

/*
 * What a write means for webhooks:
 * - the status moved (queued on insert, sent, failed, delivered...): one event of the new status,
 *   with the recipients whose outcome this write changed (a provider event's);
 * - the status stayed but outcomes changed (the second recipient's delivery): one event per
 *   outcome status the write set, e.g. message.delivered again, for that recipient;
 * - anything else (a claim's lease, sealed content, an erasure taking outcomes and metadata
 *   away) is no news: no event. `sending` is a consumer's claim, never announced.
 */
export function eventsOf(change: RecordChange): ChangeEvent[] {
  const { before, after } = change;
  if (before && after.erased_at !== undefined && before.erased_at === undefined) return [];
  const changed = changedOutcomes(before, after);
  if (!before || before.status !== after.status) {
    const type = eventTypeOf(after.status);
    if (!type) return [];
    return [shape(change, type, changed)];
  }
  const byStatus = new Map<WebhookEventType, [string, RecipientOutcome][]>();
  for (const entry of changed) {
    const status = entry[1].status;
    // suppressed outcomes are set with the send's own status change, never on their own
    const type = status === "suppressed" ? undefined : eventTypeOf(status);
    if (type) byStatus.set(type, [...(byStatus.get(type) ?? []), entry]);
  }
  return [...byStatus].map(([type, outcomes]) => shape(change, type, outcomes));
}

/** The jobs for the endpoints that want these events: one per event and endpoint. */
export function jobsFor(events: readonly ChangeEvent[], endpoints: readonly WebhookEndpoint[], tenant: string): WebhookJob[] {
  return events.flatMap(({ id, type, event }) =>
    endpoints
      .filter((endpoint) => endpoint.enabled && endpoint.tenant === tenant && endpoint.event_types.includes(type))
      .map((endpoint) => ({
        v: 1 as const,
        tenant,
        webhook_id: endpoint.id,
        delivery_id: deliveryIdFor(id, endpoint.id, new Date(event.timestamp)),
        event_id: id,
        event: endpoint.include_recipients ? event : masked(event),
      })),
  );
}

function shape(change: RecordChange, type: WebhookEventType, outcomes: readonly [string, RecipientOutcome][]): ChangeEvent {
  const { after } = change;
  const last = after.history.findLast((entry) => entry.status === after.status);
  const failure = after.failure ?? (last?.code !== undefined ? { code: last.code, reason: last.reason ?? "" } : undefined);
  const telling = after.status === "failed" || after.status === "dead_lettered" || after.status === "retrying";
  return {
    // several events of one write (outcomes of two statuses) each get their own id
    id: eventIdFor(`${change.changeId}#${type}`),
    type,
    event: {
      type,
      timestamp: after.updated_at,
      data: {
        message_id: after.id,
        status: after.status,
        channel: after.channel,
        created_at: after.created_at,
        ...(telling && failure && { code: failure.code, ...(failure.reason && { reason: failure.reason }) }),
        ...(after.provider !== undefined && { provider: after.provider }),
        ...(after.provider_message_id !== undefined && { provider_message_id: after.provider_message_id }),
        recipients: outcomes.map(([recipient, outcome]) => recipientOf(recipient, outcome)),
        ...(after.metadata !== undefined && Object.keys(after.metadata).length > 0 && { metadata: after.metadata }),
      },
    },
  };
}

function recipientOf(recipient: string, outcome: RecipientOutcome): WebhookRecipient {
  return {
    recipient,
    status: outcome.status,
    at: outcome.at,
    ...(outcome.bounce_type !== undefined && { bounce_type: outcome.bounce_type }),
    ...(outcome.bounce_subtype !== undefined && { bounce_subtype: outcome.bounce_subtype }),
  };
}

/** Outcomes the write set or changed (not the ones it removed: that is an erasure). */
function changedOutcomes(before: MessageRecord | undefined, after: MessageRecord): [string, RecipientOutcome][] {
  return Object.entries(after.outcomes ?? {}).filter(([recipient, outcome]) => {
    const previous = before?.outcomes?.[recipient];
    return previous === undefined || previous.status !== outcome.status || previous.at !== outcome.at;
  });
}

/** The event as an endpoint that did not opt in to full addresses gets it: a***@example.com, +44*******23. */
function masked(event: WebhookEvent): WebhookEvent {
  return { ...event, data: { ...event.data, recipients: event.data.recipients.map((r) => ({ ...r, recipient: maskRecipient(r.recipient) })) } };
}
