import { describe, expect, it } from "vitest";
import type { MessageRecord } from "@herald/contracts";
import { aMessageRecord } from "@herald/testing";
import { eventsOf, jobsFor, type RecordChange } from "../../src/fanout";
import { DELIVERY_ID } from "../../src/ids";
import type { WebhookEndpoint } from "../../src/webhook-store";

const created = "2026-12-03T10:00:00.000Z";
const later = "2026-12-03T10:00:05.000Z";
const queued = aMessageRecord({ id: "11111111-1111-4111-8111-111111111111", created_at: created, updated_at: created, recipients: ["alice@example.com", "bob@example.com"], metadata: { order: "42" } });
const sent: MessageRecord = { ...queued, status: "sent", updated_at: later, provider: "ses", provider_message_id: "ses-1", history: [...queued.history, { status: "sent", at: later, provider: "ses" }] };

function endpoint(overrides: Partial<WebhookEndpoint> = {}): WebhookEndpoint {
  return {
    id: "wh_000000000000000000000001",
    tenant: "acme",
    principal: "key:test",
    url: "https://hooks.example.com/herald",
    event_types: ["message.sent", "message.delivered", "message.bounced"],
    include_recipients: false,
    enabled: true,
    created_at: created,
    updated_at: created,
    secrets: [],
    ...overrides,
  };
}

const change = (before: MessageRecord | undefined, after: MessageRecord, changeId = "stream-1"): RecordChange => ({ changeId, before, after });

describe("eventsOf", () => {
  it("announces a new record as message.queued", () => {
    const [event, ...rest] = eventsOf(change(undefined, queued));
    expect(rest).toEqual([]);
    expect(event?.type).toBe("message.queued");
    expect(event?.event.data).toMatchObject({ message_id: queued.id, status: "queued", channel: "email", recipients: [], metadata: { order: "42" } });
  });

  it("announces a status change once, with the provider's id, and never content", () => {
    const events = eventsOf(change(queued, sent));
    expect(events.map((e) => e.type)).toEqual(["message.sent"]);
    const text = JSON.stringify(events);
    expect(text).not.toContain("Your receipt");
    expect(text).not.toContain("Thanks for your order");
    expect(events[0]?.event).toMatchObject({ timestamp: later, data: { provider: "ses", provider_message_id: "ses-1" } });
  });

  it("says nothing of a claim (sending) or of a write that leaves the status and outcomes alone", () => {
    const sending = { ...queued, status: "sending" as const };
    expect(eventsOf(change(queued, sending))).toEqual([]);
    expect(eventsOf(change(sent, { ...sent, attempts: 2 }))).toEqual([]);
  });

  it("gives the failure's code and reason on failed", () => {
    const failed: MessageRecord = { ...queued, status: "failed", failure: { code: "ses.rejected", reason: "MessageRejected" } };
    expect(eventsOf(change(queued, failed))[0]?.event.data).toMatchObject({ status: "failed", code: "ses.rejected", reason: "MessageRejected" });
  });

  it("announces each recipient's outcome: the status change first, then a second recipient's delivery on its own", () => {
    const first: MessageRecord = { ...sent, status: "delivered", outcomes: { "alice@example.com": { status: "delivered", at: later } } };
    const [delivered] = eventsOf(change(sent, first));
    expect(delivered?.type).toBe("message.delivered");
    expect(delivered?.event.data.recipients).toEqual([{ recipient: "alice@example.com", status: "delivered", at: later }]);

    const second: MessageRecord = { ...first, outcomes: { ...first.outcomes, "bob@example.com": { status: "delivered", at: "2026-12-03T10:00:07.000Z" } } };
    const events = eventsOf(change(first, second, "stream-2"));
    expect(events.map((e) => e.type)).toEqual(["message.delivered"]);
    expect(events[0]?.event.data.recipients.map((r) => r.recipient)).toEqual(["bob@example.com"]);
    expect(events[0]?.id).not.toBe(delivered?.id);
  });

  it("says nothing when an erasure takes outcomes and metadata away", () => {
    const delivered: MessageRecord = { ...sent, status: "delivered", outcomes: { "alice@example.com": { status: "delivered", at: later } } };
    const erased: MessageRecord = { ...delivered, erased_at: later, outcomes: {}, recipients: ["bob@example.com"] };
    delete erased.metadata;
    expect(eventsOf(change(delivered, erased))).toEqual([]);
  });

  it("gives a change the same event id every time it is read (a redelivered stream record)", () => {
    expect(eventsOf(change(queued, sent, "stream-9"))[0]?.id).toBe(eventsOf(change(queued, sent, "stream-9"))[0]?.id);
    expect(eventsOf(change(queued, sent, "stream-9"))[0]?.id).not.toBe(eventsOf(change(queued, sent, "stream-10"))[0]?.id);
  });
});

describe("jobsFor", () => {
  const delivered: MessageRecord = { ...sent, status: "delivered", updated_at: "2026-12-03T10:00:06.000Z", outcomes: { "alice@example.com": { status: "delivered", at: later } } };
  const events = eventsOf(change(sent, delivered));

  it("makes one job per endpoint that wants the type, masking addresses unless the endpoint opted in", () => {
    const masked = endpoint();
    const full = endpoint({ id: "wh_000000000000000000000002", include_recipients: true });
    const other = endpoint({ id: "wh_000000000000000000000003", event_types: ["message.failed"] });
    const jobs = jobsFor(events, [masked, full, other], "acme");
    expect(jobs.map((j) => j.webhook_id)).toEqual([masked.id, full.id]);
    expect(jobs[0]?.event.data.recipients[0]?.recipient).toBe("a***@example.com");
    expect(jobs[1]?.event.data.recipients[0]?.recipient).toBe("alice@example.com");
    // one webhook-id for the event at every endpoint; a delivery id per endpoint
    expect(new Set(jobs.map((j) => j.event_id)).size).toBe(1);
    expect(jobs[0]?.delivery_id).not.toBe(jobs[1]?.delivery_id);
    for (const job of jobs) expect(job.delivery_id).toMatch(DELIVERY_ID);
  });

  it("leaves out disabled endpoints and other tenants' endpoints", () => {
    expect(jobsFor(events, [endpoint({ enabled: false }), endpoint({ tenant: "globex" })], "acme")).toEqual([]);
  });

  it("gives delivery ids that sort by the event's time", () => {
    const early = jobsFor(eventsOf(change(queued, sent, "a")), [endpoint()], "acme")[0]?.delivery_id ?? "";
    const late = jobsFor(eventsOf(change(sent, delivered, "b")), [endpoint()], "acme")[0]?.delivery_id ?? "";
    expect(late > early).toBe(true);
  });
});
