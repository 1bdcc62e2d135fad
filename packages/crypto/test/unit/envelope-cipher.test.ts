import { describe, expect, it } from "vitest";
import { DecryptionError, EnvelopeCipher } from "../../src";
import { MemoryDataKeyProvider } from "../../src/memory-data-key-provider";

const kms = { purpose: "test", tenant: "acme" };
const aad = { message_id: "m1", recipients: "alice@example.com" };

describe("EnvelopeCipher", () => {
  it("round-trips text and binds the additional data", async () => {
    // Prepare
    const cipher = new EnvelopeCipher(new MemoryDataKeyProvider());

    // Act
    const sealed = await cipher.seal("héllo 🔐", kms, aad);

    // Assess
    expect(await cipher.open(sealed, kms, aad)).toBe("héllo 🔐");
    await expect(cipher.open(sealed, kms, { ...aad, message_id: "m2" })).rejects.toBeInstanceOf(DecryptionError);
    await expect(cipher.open(sealed, { ...kms, tenant: "globex" }, aad)).rejects.toBeInstanceOf(DecryptionError);
  });

  it("detects a changed ciphertext, tag or IV", async () => {
    const cipher = new EnvelopeCipher(new MemoryDataKeyProvider());
    const sealed = await cipher.seal("secret", kms, aad);
    const flip = (b64: string) => {
      const bytes = Buffer.from(b64, "base64");
      bytes[0] = (bytes[0] ?? 0) ^ 1;
      return bytes.toString("base64");
    };
    for (const field of ["ciphertext", "tag", "iv"] as const) {
      await expect(cipher.open({ ...sealed, [field]: flip(sealed[field]) }, kms, aad), field).rejects.toBeInstanceOf(DecryptionError);
    }
  });

  it("reuses a data key within its bounds and takes a new one past either bound", async () => {
    // Prepare
    let now = 0;
    const keys = new MemoryDataKeyProvider();
    const cipher = new EnvelopeCipher(keys, { maxAgeMs: 1000, maxMessages: 3 }, () => now);

    // Act + Assess: three messages share a key, the fourth needs a new one
    for (let i = 0; i < 4; i++) await cipher.seal("x", kms, aad);
    expect(keys.generated).toBe(2);
    // past the age bound
    now = 1500;
    await cipher.seal("x", kms, aad);
    expect(keys.generated).toBe(3);
    // another tenant's KMS context never shares a key
    await cipher.seal("x", { ...kms, tenant: "globex" }, aad);
    expect(keys.generated).toBe(4);
  });

  it("makes one KMS call for many concurrent seals", async () => {
    const keys = new MemoryDataKeyProvider();
    const cipher = new EnvelopeCipher(keys);
    const sealed = await Promise.all(Array.from({ length: 50 }, (_, i) => cipher.seal(`m${i}`, kms, aad)));
    expect(keys.generated).toBe(1);
    expect(new Set(sealed.map((s) => s.iv)).size).toBe(50);
  });

  it("unwraps a data key once for many opens", async () => {
    const keys = new MemoryDataKeyProvider();
    const cipher = new EnvelopeCipher(keys);
    const sealed = await Promise.all(Array.from({ length: 10 }, () => cipher.seal("x", kms, aad)));
    const reader = new EnvelopeCipher(keys);
    for (const s of sealed) expect(await reader.open(s, kms, aad)).toBe("x");
    expect(keys.unwrapped).toBe(1);
  });
});
