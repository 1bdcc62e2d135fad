import { describe, expect, it } from "vitest";
import { AuditEnv, ConfigError, parseEnv } from "../../src/index";

function problemOf(env: Record<string, string | undefined>): string {
  try {
    parseEnv(AuditEnv, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error("expected a ConfigError, but the configuration parsed");
}

describe("AuditEnv (HERALD_AUDIT_HMAC_KEY)", () => {
  it("takes a value of at least 32 characters, or a Secrets Manager reference", () => {
    // Act
    const value = parseEnv(AuditEnv, { HERALD_AUDIT_HMAC_KEY: "k".repeat(32) });
    const reference = parseEnv(AuditEnv, { HERALD_AUDIT_HMAC_KEY: "secretsmanager:herald/you/AuditHmacKey" });

    // Assess
    expect(value.HERALD_AUDIT_HMAC_KEY).toEqual({ kind: "value", value: "k".repeat(32) });
    expect(reference.HERALD_AUDIT_HMAC_KEY).toEqual({ kind: "secretsmanager", id: "herald/you/AuditHmacKey" });
  });

  it.each([
    ["unset", undefined, "is required"],
    ["blank", "  ", "is required"],
    ["31 characters", "k".repeat(31), "must be at least 32 characters"],
  ])("refuses a key that is %s, naming the variable and never the value", (_, given, reason) => {
    // Act
    const message = problemOf({ HERALD_AUDIT_HMAC_KEY: given });

    // Assess
    expect(message).toContain(`HERALD_AUDIT_HMAC_KEY: ${reason}`);
    if (given?.trim()) expect(message).not.toContain(given);
  });
});
