import type { SQSRecord } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { ConfigError } from "@herald/platform";
import { PoisonMessageError } from "@herald/queue";
import { backoffSeconds } from "@herald/queue/sqs";
import { loadConfig, recordBudgetMs, WEBHOOK_BACKOFF, WEBHOOK_MAX_ATTEMPTS_DEFAULT } from "../../src/config";
import { parseJob } from "../../src/domain/job";

const BASE = { HERALD_TABLE_NAME: "herald-messages" };

describe("webhooks loadConfig", () => {
  it("defaults to AWS's rules: no loopback, 10 s posts, 16 attempts, disabled after 72 h", () => {
    // Act
    const config = loadConfig(BASE);
    // Assess
    expect(config).toMatchObject({
      tableName: "herald-messages",
      queueUrl: undefined,
      allowLoopback: false,
      timeoutMs: 10_000,
      maxAttempts: WEBHOOK_MAX_ATTEMPTS_DEFAULT,
      disableAfterMs: 72 * 3600_000,
    });
    expect(recordBudgetMs(config)).toBeGreaterThan(config.timeoutMs);
  });

  it("reads the local stack's settings", () => {
    const config = loadConfig({
      ...BASE,
      HERALD_WEBHOOKS_QUEUE_URL: "http://127.0.0.1:5000/123456789012/herald-webhooks",
      HERALD_WEBHOOKS_ALLOW_LOOPBACK: "true",
      HERALD_WEBHOOK_TIMEOUT_MS: "2000",
      HERALD_WEBHOOK_MAX_ATTEMPTS: "3",
      HERALD_WEBHOOK_DISABLE_AFTER_HOURS: "1",
    });
    expect(config).toMatchObject({ allowLoopback: true, timeoutMs: 2000, maxAttempts: 3, disableAfterMs: 3600_000 });
  });

  it("bounds a post by the worker's batch timeout less the margin, so one record always fits its batch", () => {
    const config = loadConfig({ ...BASE, HERALD_WORKER_BATCH_TIMEOUT_SECONDS: "7" });
    expect(config.timeoutMs).toBe(5000);
    expect(recordBudgetMs(config)).toBeLessThanOrEqual(config.workerBatchTimeoutMs);
  });

  it.each([
    ["HERALD_WEBHOOK_TIMEOUT_MS", "10001"],
    ["HERALD_WEBHOOK_TIMEOUT_MS", "ten"],
    ["HERALD_WEBHOOKS_ALLOW_LOOPBACK", "yes"],
    ["HERALD_WEBHOOK_MAX_ATTEMPTS", "0"],
    ["HERALD_TABLE_NAME", ""],
  ])("refuses %s=%s, naming it", (name, value) => {
    expect(() => loadConfig({ ...BASE, [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ ...BASE, [name]: value })).toThrow(name);
  });

  it("retries for about a day: the mean of the waits between the default attempts is 20 to 26 hours", () => {
    // equal jitter: a wait is between half its ceiling and its ceiling, three quarters on average
    const mean = (count: number) => (backoffSeconds(count, WEBHOOK_BACKOFF, () => 0) + backoffSeconds(count, WEBHOOK_BACKOFF, () => 1)) / 2;
    let total = 0;
    for (let count = 1; count < WEBHOOK_MAX_ATTEMPTS_DEFAULT; count++) total += mean(count);
    expect(total / 3600).toBeGreaterThan(20);
    expect(total / 3600).toBeLessThan(26);
    expect(backoffSeconds(1, WEBHOOK_BACKOFF, () => 1)).toBe(30);
    expect(backoffSeconds(20, WEBHOOK_BACKOFF, () => 1)).toBe(4 * 3600);
  });
});

const record = (body: string): SQSRecord => ({ messageId: "sqs-1", body, attributes: { ApproximateReceiveCount: "1" } }) as unknown as SQSRecord;

describe("parseJob", () => {
  it.each([
    ["not JSON", "{"],
    ["not a job", JSON.stringify({ v: 1, tenant: "acme" })],
    ["a message envelope", JSON.stringify({ v: 1, id: "m-1", channel: "email" })],
  ])("calls %s poison", (_what, body) => {
    expect(() => parseJob(record(body))).toThrow(PoisonMessageError);
  });

  it("reads a job", () => {
    const timestamp = "2026-12-03T10:00:00.000Z";
    const job = {
      v: 1,
      tenant: "acme",
      webhook_id: "wh_1",
      delivery_id: "del_1",
      event_id: "evt_1",
      event: { type: "message.sent", timestamp, data: { message_id: "m-1", status: "sent", channel: "email", created_at: timestamp, recipients: [] } },
    };
    expect(parseJob(record(JSON.stringify(job)))).toEqual(job);
  });
});
