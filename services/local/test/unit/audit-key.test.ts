import { describe, expect, it } from "vitest";
import { localAuditKey } from "../../src/audit-key";

describe("localAuditKey", () => {
  it("generates a 32-byte key on the first run and keeps it in the state file", () => {
    // Act
    const key = localAuditKey(undefined, undefined);

    // Assess
    expect(key.from).toBe("created");
    expect(Buffer.from(key.setting, "base64url")).toHaveLength(32);
    expect(key.stored).toBe(key.setting);
    expect(localAuditKey(undefined, undefined).setting).not.toBe(key.setting);
  });

  it("reuses the key of an earlier run", () => {
    // Act
    const key = localAuditKey("  ", "earlier-key");

    // Assess
    expect(key).toEqual({ setting: "earlier-key", from: "reused", stored: "earlier-key" });
  });

  it("takes HERALD_AUDIT_HMAC_KEY from the environment and never writes it to the state file", () => {
    // Act
    const key = localAuditKey("secretsmanager:herald/dev/AuditHmacKey", "earlier-key");

    // Assess
    expect(key).toEqual({ setting: "secretsmanager:herald/dev/AuditHmacKey", from: "HERALD_AUDIT_HMAC_KEY", stored: undefined });
  });
});
