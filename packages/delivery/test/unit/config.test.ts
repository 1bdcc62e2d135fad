import { describe, expect, it } from "vitest";
import { parseEnv } from "@herald/platform";
import { ConsumerEnv, consumerSettings, DeliveryEnv, deliverySettings, RECORD_MARGIN_MS, recordBudgetMs, sendingClientConfig } from "../../src";

describe("consumer configuration", () => {
  it("gives every consumer its table, batch size, batch timeout and log level, with the defaults", () => {
    // Act
    const settings = consumerSettings(parseEnv(ConsumerEnv, { HERALD_TABLE_NAME: "herald-messages" }));

    // Assess
    expect(settings).toEqual({ tableName: "herald-messages", workerBatchSize: 10, workerBatchTimeoutMs: 30_000, logLevel: "INFO" });
  });

  it("gives a delivering consumer its claim lease, receives, send timeout and secrets max age as well", () => {
    // Act
    const settings = deliverySettings(parseEnv(DeliveryEnv, { HERALD_TABLE_NAME: "t", HERALD_MAX_RECEIVES: "3", HERALD_LOG_LEVEL: "debug" }));

    // Assess
    expect(settings).toEqual({
      tableName: "t",
      workerBatchSize: 10,
      workerBatchTimeoutMs: 30_000,
      logLevel: "debug",
      claimLeaseSeconds: 120,
      maxReceives: 3,
      sendTimeoutMs: 10_000,
      secretsMaxAgeSeconds: 60,
    });
  });

  it("names the variable when a shared setting is out of bounds", () => {
    // Act
    const load = () => parseEnv(DeliveryEnv, { HERALD_TABLE_NAME: "t", HERALD_WORKER_BATCH_SIZE: "11" });

    // Assess
    expect(load).toThrow("invalid configuration: HERALD_WORKER_BATCH_SIZE: must be at most 10");
  });
});

describe("recordBudgetMs", () => {
  it("is the sends' timeouts plus the margin for the store's calls", () => {
    expect(recordBudgetMs(1, 10_000)).toBe(10_000 + RECORD_MARGIN_MS);
    expect(recordBudgetMs(2, 10_000)).toBe(20_000 + RECORD_MARGIN_MS);
  });

  it("fits two transports' sends with the default timeout into the 30 s consumer Lambda", () => {
    // infra/queues.ts CONSUMER_TIMEOUT_SECONDS; the email consumer may try SES, then the relay
    expect(recordBudgetMs(2, 10_000)).toBeLessThanOrEqual(30_000);
  });
});

describe("sendingClientConfig", () => {
  it("gives a sending SDK client one attempt and a request timeout that ends the request", () => {
    expect(sendingClientConfig(5_000)).toEqual({ maxAttempts: 1, requestHandler: { requestTimeout: 5_000, throwOnRequestTimeout: true } });
  });
});
