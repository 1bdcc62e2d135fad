import { describe, expect, it } from "vitest";
import { backoffSeconds, queueUrlFromArn } from "../../src/sqs";

describe("backoffSeconds", () => {
  it("doubles with each receive, between half and all of the ceiling, up to the cap", () => {
    // Prepare
    const low = () => 0;
    const high = () => 0.999999;

    // Act + Assess
    expect([1, 2, 3, 4].map((n) => backoffSeconds(n, undefined, low))).toEqual([1, 2, 4, 8]);
    expect([1, 2, 3, 4].map((n) => backoffSeconds(n, undefined, high))).toEqual([2, 4, 8, 16]);
    expect(backoffSeconds(20, undefined, high)).toBe(300);
    expect(backoffSeconds(20, undefined, low)).toBe(150);
  });
});

describe("queueUrlFromArn", () => {
  it("derives the queue URL a Lambda's event source ARN names", () => {
    expect(queueUrlFromArn("arn:aws:sqs:eu-west-1:123456789012:herald-email")).toBe("https://sqs.eu-west-1.amazonaws.com/123456789012/herald-email");
    expect(queueUrlFromArn("arn:aws-cn:sqs:cn-north-1:123456789012:q")).toBe("https://sqs.cn-north-1.amazonaws.com.cn/123456789012/q");
    expect(queueUrlFromArn("arn:aws:sqs:local:000000000000:q")).toBeUndefined();
  });
});

describe("processSqsRecords retry delay", () => {
  it("backs off transient failures only", async () => {
    // Prepare
    const { processSqsRecords } = await import("../../src");
    const { createLogger, PermanentError, TransientError } = await import("@herald/platform");
    const { aMessageRecord, anEnvelope, anSqsRecord } = await import("@herald/testing");
    const transient = anSqsRecord(anEnvelope(aMessageRecord()), { ApproximateReceiveCount: "3" });
    const permanent = anSqsRecord(anEnvelope(aMessageRecord()));
    const delayed: [string, number][] = [];

    // Act
    await processSqsRecords(
      [transient, permanent],
      async (envelope) => {
        if (envelope.id === JSON.parse(transient.body).id) throw new TransientError("x.throttled", "slow down");
        throw new PermanentError("x.rejected", "no");
      },
      createLogger("test", "SILENT"),
      async (record, receiveCount) => {
        delayed.push([record.messageId, receiveCount]);
      },
    );

    // Assess
    expect(delayed).toEqual([[transient.messageId, 3]]);
  });
});
