import { marshall } from "@aws-sdk/util-dynamodb";
import { describe, expect, it } from "vitest";
import type { MessageRecord, WebhookJob } from "@herald/contracts";
import { recordFromItem } from "@herald/messages/dynamo";
import { createLogger } from "@herald/platform";
import { messageContentKey, messageKey } from "@herald/table";
import { aMessageRecord } from "@herald/testing";
import { MemoryWebhookStore } from "@herald/webhooks/memory";
import { toStreamChange } from "../../src/adapters/stream-records";
import { fanOut, type JobQueue, type StreamChange } from "../../src/domain/fan-out";

const at = "2026-12-03T10:00:00.000Z";
const queued = aMessageRecord({ created_at: at, updated_at: at });
const sent: MessageRecord = { ...queued, status: "sent", updated_at: "2026-12-03T10:00:02.000Z", history: [...queued.history, { status: "sent", at: "2026-12-03T10:00:02.000Z" }] };
const item = (record: MessageRecord) => ({ ...messageKey(record.id), ...record, rev: 1 });

let sequence = 0;
function change(before: MessageRecord | undefined, after: MessageRecord, overrides: Partial<StreamChange> = {}): StreamChange {
  sequence += 1;
  return {
    eventId: `event-${sequence}`,
    eventName: before ? "MODIFY" : "INSERT",
    sequenceNumber: String(1000 + sequence),
    pk: messageKey(after.id).pk,
    sk: messageKey(after.id).sk,
    newImage: item(after),
    oldImage: before && item(before),
    ...overrides,
  };
}

class CapturingQueue implements JobQueue {
  readonly sent: WebhookJob[] = [];
  failOnCall: number | undefined;
  calls = 0;
  async send(jobs: readonly WebhookJob[]): Promise<void> {
    this.calls += 1;
    if (this.calls === this.failOnCall) throw new Error("SQS said no");
    this.sent.push(...jobs);
  }
}

async function setUp() {
  const endpoints = new MemoryWebhookStore();
  const base = { tenant: "acme", principal: "key:test", include_recipients: false, enabled: true, created_at: at, updated_at: at, secrets: [], url: "https://hooks.example.com/" };
  await endpoints.create({ ...base, id: "wh_000000000000000000000001", event_types: ["message.queued", "message.sent"] });
  await endpoints.create({ ...base, id: "wh_000000000000000000000002", event_types: ["message.sent"] });
  await endpoints.create({ ...base, id: "wh_000000000000000000000003", event_types: ["message.sent"], tenant: "globex" });
  const jobs = new CapturingQueue();
  let reads = 0;
  const counting = { listEnabled: (tenant: string) => ((reads += 1), endpoints.listEnabled(tenant)) };
  return { jobs, deps: { endpoints: counting, jobs, readRecord: recordFromItem, logger: createLogger("test", "SILENT") }, reads: () => reads };
}

describe("fanOut", () => {
  it("queues one job per event and endpoint of the record's tenant, reading the tenant's endpoints once per batch", async () => {
    const { jobs, deps, reads } = await setUp();
    const result = await fanOut([change(undefined, queued), change(queued, sent)], deps);
    expect(result).toEqual({ failedAt: undefined, jobs: 3 });
    expect(jobs.sent.map((j) => [j.event.type, j.webhook_id])).toEqual([
      ["message.queued", "wh_000000000000000000000001"],
      ["message.sent", "wh_000000000000000000000001"],
      ["message.sent", "wh_000000000000000000000002"],
    ]);
    expect(reads()).toBe(1);
  });

  it("ignores other items, removals and writes that are no news", async () => {
    const { jobs, deps } = await setUp();
    const other = { ...change(undefined, queued), pk: "RATE#email", sk: "schedule", newImage: { pk: "RATE#email", sk: "schedule", next_us: 3 } };
    // a big message's content item: its partition is the message's, and it is no record
    const content = { ...change(undefined, queued), sk: "CONTENT", newImage: { ...messageContentKey(queued.id), content: queued.content } };
    const removal = { ...change(queued, sent), eventName: "REMOVE" as const, newImage: undefined };
    const lease = change(sent, { ...sent, attempts: 3 });
    expect(await fanOut([other, content, removal, lease], deps)).toEqual({ failedAt: undefined, jobs: 0 });
    expect(jobs.sent).toEqual([]);
  });

  it("stops at the first record whose jobs are not queued and names it, so the stream hands it back in order", async () => {
    const { jobs, deps } = await setUp();
    jobs.failOnCall = 2;
    const first = change(undefined, queued);
    const second = change(queued, sent);
    const third = change(undefined, { ...queued, id: "22222222-2222-4222-8222-222222222222" });
    expect(await fanOut([first, second, third], deps)).toEqual({ failedAt: second.sequenceNumber, jobs: 1 });
    expect(jobs.sent.map((j) => j.event.type)).toEqual(["message.queued"]);
  });

  it("skips (and does not retry) an image that is not a message record", async () => {
    const { jobs, deps } = await setUp();
    const broken = { ...change(undefined, queued), newImage: { ...item(queued), status: "teleported" } };
    expect(await fanOut([broken, change(queued, sent)], deps)).toEqual({ failedAt: undefined, jobs: 2 });
    expect(jobs.sent.every((j) => j.event.type === "message.sent")).toBe(true);
  });

  it("gives a redelivered stream record the same event and delivery ids", async () => {
    const { jobs, deps } = await setUp();
    const once = change(queued, sent);
    await fanOut([once], deps);
    await fanOut([once], deps);
    const [a, b, c, d] = jobs.sent;
    expect([c?.event_id, c?.delivery_id, d?.delivery_id]).toEqual([a?.event_id, a?.delivery_id, b?.delivery_id]);
  });
});

describe("toStreamChange", () => {
  it("reads a Lambda stream record's images", () => {
    const change = toStreamChange({
      eventID: "abc",
      eventName: "MODIFY",
      dynamodb: {
        Keys: marshall(messageKey(sent.id)) as never,
        NewImage: marshall(item(sent), { removeUndefinedValues: true }) as never,
        OldImage: marshall(item(queued), { removeUndefinedValues: true }) as never,
        SequenceNumber: "42",
      },
    });
    expect(change).toMatchObject({ eventId: "abc", eventName: "MODIFY", sequenceNumber: "42", pk: `MSG#${sent.id}`, sk: "MSG" });
    expect(recordFromItem(change.newImage ?? {})).toEqual(sent);
    expect(recordFromItem(change.oldImage ?? {})).toEqual(queued);
  });
});
