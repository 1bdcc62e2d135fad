import { describe, expect, it } from "vitest";
import { parseEnv } from "@herald/platform";
import { ConsumerEnv, consumerSettings, DeliveryEnv, deliverySettings } from "../../src";

describe("consumer configuration", () => {
  it("gives every consumer its table, batch size and log level, with the defaults", () => {
    // Act
    const settings = consumerSettings(parseEnv(ConsumerEnv, { HERALD_TABLE_NAME: "herald-messages" }));

    // Assess
    expect(settings).toEqual({ tableName: "herald-messages", workerBatchSize: 10, logLevel: "INFO" });
  });

  it("gives a delivering consumer its claim lease, receives, send timeout and secrets max age as well", () => {
    // Act
    const settings = deliverySettings(parseEnv(DeliveryEnv, { HERALD_TABLE_NAME: "t", HERALD_MAX_RECEIVES: "3", HERALD_LOG_LEVEL: "debug" }));

    // Assess
    expect(settings).toEqual({
      tableName: "t",
      workerBatchSize: 10,
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
