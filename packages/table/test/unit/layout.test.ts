import { describe, expect, it } from "vitest";
import { apiKeyKey, auditKey, idempotencyKey, leadingKeys, messageKey, PARTITIONS, quotaKey, rateKey, recipientPartition } from "../../src/index";

describe("the table layout", () => {
  it("builds every key under its own partition prefix", () => {
    // Act
    const keys = [
      messageKey("m-1"),
      { pk: recipientPartition("acme", "alice@example.com"), sk: "" },
      idempotencyKey("acme", "ab12"),
      auditKey("acme", "c0ffee", "2030-01-01T00:00:00.000Z", "u-1"),
      apiKeyKey("f00d"),
      rateKey("email", "schedule"),
      quotaKey("acme", "sms", "2026-11-23"),
    ];

    // Assess
    expect(keys).toEqual([
      { pk: "MSG#m-1", sk: "MSG" },
      { pk: "RCPT#acme#alice@example.com", sk: "" },
      { pk: "IDEM#acme#ab12", sk: "IDEM" },
      { pk: "AUDIT#acme#c0ffee", sk: "2030-01-01T00:00:00.000Z#u-1" },
      { pk: "APIKEY", sk: "f00d" },
      { pk: "RATE#email", sk: "schedule" },
      { pk: "QUOTA#acme", sk: "sms#2026-11-23" },
    ]);
  });

  it("gives IAM patterns that match a kind's keys and no other kind's", () => {
    // Prepare
    const matches = (pattern: string, value: string) =>
      new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`).test(value);
    const consumer = leadingKeys("message", "rate");

    // Act & Assess
    expect(consumer).toEqual(["MSG#*", "RATE#*"]);
    expect(leadingKeys("apiKey")).toEqual(["APIKEY"]);
    expect(consumer.some((p) => matches(p, messageKey("x").pk))).toBe(true);
    expect(consumer.some((p) => matches(p, apiKeyKey("x").pk))).toBe(false);
    expect(Object.values(PARTITIONS).filter((a) => Object.values(PARTITIONS).some((b) => a !== b && b.startsWith(a)))).toEqual([]);
  });
});
