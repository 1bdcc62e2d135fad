import { describe, expect, it, vi } from "vitest";
import type { QueueEnvelope } from "@herald/contracts";
import { createLogger, PermanentError, TransientError } from "@herald/platform";
import { aMessageRecord, anEnvelope, anSqsRecord } from "@herald/testing";
import { parseEnvelope, PoisonMessageError, processSqsRecords, type EnvelopeHandler, type RecordContext } from "../../src/index";
import { createSqsHandler } from "../../src/sqs";

const logger = createLogger("test", "SILENT");

/** A handler that records every call and throws for the envelope ids it is told to fail. */
function aRecordingHandler(failFor: ReadonlySet<string> = new Set(), error: Error = new TransientError("email.throttled", "Throttled")) {
  const calls: { envelope: QueueEnvelope; context: RecordContext }[] = [];
  const handle: EnvelopeHandler = async (envelope, context) => {
    calls.push({ envelope, context });
    if (failFor.has(envelope.id)) throw error;
  };
  return { handle, calls };
}

describe("processSqsRecords", () => {
  it("reports no failures and hands every envelope to the handler when all succeed", async () => {
    // Prepare
    const envelopes = [anEnvelope(aMessageRecord()), anEnvelope(aMessageRecord()), anEnvelope(aMessageRecord())];
    const records = envelopes.map((e) => anSqsRecord(e));
    const { handle, calls } = aRecordingHandler();

    // Act
    const response = await processSqsRecords(records, handle, logger);

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(calls.map((c) => c.envelope)).toEqual(expect.arrayContaining(envelopes));
    expect(calls).toHaveLength(3);
    expect(calls.map((c) => c.context.sqsMessageId).sort()).toEqual(records.map((r) => r.messageId).sort());
  });

  it("reports only the record whose handler threw", async () => {
    // Prepare
    const envelopes = [anEnvelope(aMessageRecord()), anEnvelope(aMessageRecord()), anEnvelope(aMessageRecord())];
    const records = envelopes.map((e) => anSqsRecord(e));
    const failing = envelopes[1];
    const failingRecord = records[1];
    if (!failing || !failingRecord) throw new Error("fixture");
    const { handle, calls } = aRecordingHandler(new Set([failing.id]));

    // Act
    const response = await processSqsRecords(records, handle, logger);

    // Assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: failingRecord.messageId }] });
    expect(calls).toHaveLength(3);
  });

  it("reports a record whose handler failed permanently, too", async () => {
    // Prepare
    const envelope = anEnvelope(aMessageRecord());
    const record = anSqsRecord(envelope);
    const { handle } = aRecordingHandler(new Set([envelope.id]), new PermanentError("email.rejected", "Rejected"));

    // Act
    const response = await processSqsRecords([record, anSqsRecord(anEnvelope(aMessageRecord()))], handle, logger);

    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
  });

  it("reports every record and does not throw when the whole batch fails", async () => {
    // Prepare
    const envelopes = [anEnvelope(aMessageRecord()), anEnvelope(aMessageRecord())];
    const records = envelopes.map((e) => anSqsRecord(e));
    const { handle } = aRecordingHandler(new Set(envelopes.map((e) => e.id)));

    // Act
    const response = await processSqsRecords(records, handle, logger);

    // Assess
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(records.map((r) => r.messageId).sort());
  });

  it.each([
    ["a body that is not JSON", "{not json"],
    ["an empty body", ""],
    ["JSON that is not an object", "42"],
    ["an envelope without a tenant", JSON.stringify({ v: 1, id: "m-1", principal: "key:test", channel: "email" })],
    ["an envelope of an unknown version", JSON.stringify({ v: 2, id: "m-1", tenant: "acme", principal: "key:test", channel: "email" })],
    ["an envelope with an unknown field", JSON.stringify({ v: 1, id: "m-1", tenant: "acme", principal: "key:test", channel: "email", to: "x" })],
    ["an envelope of an unknown channel", JSON.stringify({ v: 1, id: "m-1", tenant: "acme", principal: "key:test", channel: "fax" })],
  ])("fails a poison record with %s without calling the handler for it, and lets the others through", async (_, body) => {
    // Prepare
    const good = [anEnvelope(aMessageRecord()), anEnvelope(aMessageRecord())];
    const poison = anSqsRecord(body);
    const records = [anSqsRecord(good[0]), poison, anSqsRecord(good[1])];
    const { handle, calls } = aRecordingHandler();

    // Act
    const response = await processSqsRecords(records, handle, logger);

    // Assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: poison.messageId }] });
    expect(calls.map((c) => c.context.sqsMessageId)).not.toContain(poison.messageId);
    expect(calls.map((c) => c.envelope.id).sort()).toEqual(good.map((e) => e.id).sort());
  });

  it("passes SQS's ApproximateReceiveCount as the receive count", async () => {
    // Prepare
    const first = anSqsRecord(anEnvelope(aMessageRecord()));
    const third = anSqsRecord(anEnvelope(aMessageRecord()), { ApproximateReceiveCount: "3" });
    const { handle, calls } = aRecordingHandler();

    // Act
    await processSqsRecords([first, third], handle, logger);

    // Assess
    const countById = Object.fromEntries(calls.map((c) => [c.context.sqsMessageId, c.context.receiveCount]));
    expect(countById).toEqual({ [first.messageId]: 1, [third.messageId]: 3 });
  });

  it("logs a failed record by its code, never its body", async () => {
    // Prepare
    const quietLogger = createLogger("test", "SILENT");
    const warn = vi.spyOn(quietLogger, "warn");
    const envelope = anEnvelope(aMessageRecord({ tenant: "secret-tenant-name" }));
    const record = anSqsRecord(envelope, { ApproximateReceiveCount: "2" });
    const { handle } = aRecordingHandler(new Set([envelope.id]), new TransientError("email.throttled", "Throttled"));

    // Act
    await processSqsRecords([record], handle, quietLogger);

    // Assess
    expect(warn).toHaveBeenCalledWith("record failed", {
      sqsMessageId: record.messageId,
      receiveCount: 2,
      code: "email.throttled",
      retryable: true,
      error: "TransientError",
    });
    expect(JSON.stringify(warn.mock.calls)).not.toContain("secret-tenant-name");
  });
});

describe("processSqsRecords with a time budget", () => {
  /** A batch's clock: every handled record takes `perRecordMs` of `totalMs`. */
  function aBudget(totalMs: number, perRecordMs: number, recordMs: number) {
    let elapsed = 0;
    const { handle: record, calls } = aRecordingHandler();
    const spare: number[] = [];
    const handle: EnvelopeHandler = async (envelope, context) => {
      await record(envelope, context);
      spare.push(context.spareMs());
      elapsed += perRecordMs;
    };
    return { handle, calls, spare, budget: { remainingMs: () => totalMs - elapsed, recordMs } };
  }

  it("hands back, never calling the handler for them, the records left once less than one record's budget remains", async () => {
    // Prepare: 10 s, 4 s per record, a record's budget 3 s: records start at 10, 6 and... 2 s is too little
    const { handle, calls, budget } = aBudget(10_000, 4_000, 3_000);
    const records = [1, 2, 3, 4].map(() => anSqsRecord(anEnvelope(aMessageRecord())));
    const delayed: string[] = [];

    // Act
    const response = await processSqsRecords(records, handle, logger, async (r) => void delayed.push(r.messageId), budget);

    // Assess: the two not started come back as failures, backed off like transient ones
    expect(calls.map((c) => c.context.sqsMessageId)).toEqual(records.slice(0, 2).map((r) => r.messageId));
    expect(response.batchItemFailures).toEqual(records.slice(2).map((r) => ({ itemIdentifier: r.messageId })));
    expect(delayed).toEqual(records.slice(2).map((r) => r.messageId));
  });

  it("tells the handler its spare time: what is left less one record's budget", async () => {
    // Prepare
    const { handle, spare, budget } = aBudget(10_000, 1_000, 3_000);

    // Act
    await processSqsRecords([anSqsRecord(anEnvelope(aMessageRecord())), anSqsRecord(anEnvelope(aMessageRecord()))], handle, logger, undefined, budget);

    // Assess: 10 - 3 s, then 9 - 3 s
    expect(spare).toEqual([7_000, 6_000]);
  });

  it("logs the records handed back as one line, not as failed records", async () => {
    // Prepare
    const quietLogger = createLogger("test", "SILENT");
    const warn = vi.spyOn(quietLogger, "warn");
    const info = vi.spyOn(quietLogger, "info");
    const { handle, budget } = aBudget(5_000, 3_000, 3_000);
    const records = [1, 2, 3].map(() => anSqsRecord(anEnvelope(aMessageRecord())));

    // Act
    await processSqsRecords(records, handle, quietLogger, undefined, budget);

    // Assess
    expect(warn).not.toHaveBeenCalled();
    expect(info).toHaveBeenCalledWith("records handed back, not started", { handedBack: 2, records: 3, remainingMs: 2_000, recordMs: 3_000 });
  });

  it("starts every record without a budget, however long they take", async () => {
    // Prepare
    const { handle, calls, spare } = aBudget(1, 60_000, 3_000);
    const records = [1, 2, 3].map(() => anSqsRecord(anEnvelope(aMessageRecord())));

    // Act
    const response = await processSqsRecords(records, handle, logger);

    // Assess
    expect(calls).toHaveLength(3);
    expect(response.batchItemFailures).toEqual([]);
    expect(spare).toEqual([Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY]);
  });
});

describe("parseEnvelope", () => {
  it("returns the envelope of a valid body", () => {
    // Prepare
    const envelope = anEnvelope(aMessageRecord());

    // Act
    const parsed = parseEnvelope(anSqsRecord(envelope));

    // Assess
    expect(parsed).toEqual(envelope);
  });

  it("throws a PoisonMessageError that is not retryable for a bad body", () => {
    // Prepare
    const record = anSqsRecord("{not json");

    // Act
    const parse = () => parseEnvelope(record);

    // Assess
    expect(parse).toThrow(PoisonMessageError);
    expect(parse).toThrow(expect.objectContaining({ code: "queue.poison_message", retryable: false }));
  });
});

describe("createSqsHandler", () => {
  it("holds back the records the Lambda invocation has no time left for", async () => {
    // Prepare: 1 s left, a record needs 3 s
    const records = [anSqsRecord(anEnvelope(aMessageRecord()))];
    const { handle, calls } = aRecordingHandler();
    const handler = createSqsHandler(handle, logger, async () => undefined, 3_000);

    // Act
    const response = await handler({ Records: records }, { getRemainingTimeInMillis: () => 1_000 });

    // Assess
    expect(calls).toHaveLength(0);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: records[0]?.messageId }]);
  });

  it("answers an SQS event with the batch item failures", async () => {
    // Prepare
    const envelopes = [anEnvelope(aMessageRecord()), anEnvelope(aMessageRecord())];
    const records = envelopes.map((e) => anSqsRecord(e));
    const failing = envelopes[0];
    const failingRecord = records[0];
    if (!failing || !failingRecord) throw new Error("fixture");
    const { handle } = aRecordingHandler(new Set([failing.id]));
    const handler = createSqsHandler(handle, logger);

    // Act
    const response = await handler({ Records: records });

    // Assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: failingRecord.messageId }] });
  });
});
