import { createCipheriv, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { DecryptionError, EnvelopeCipher } from "../../src";
import { MemoryDataKeyProvider } from "../../src/memory-data-key-provider";
import { RecordingKeys } from "./recording-keys";

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

  it("refuses a tag shorter than 16 bytes, though GCM would accept its first 4 bytes", async () => {
    // Prepare
    const keys = new MemoryDataKeyProvider();
    const sealed = await new EnvelopeCipher(keys).seal("secret", kms, aad);
    const truncated = (bytes: number) => ({ ...sealed, tag: Buffer.from(sealed.tag, "base64").subarray(0, bytes).toString("base64") });
    const reader = new EnvelopeCipher(keys);

    // Act + Assess: Node's decipher verifies a truncated (but genuine) tag unless told its length
    for (const bytes of [4, 8, 12, 15]) {
      await expect(reader.open(truncated(bytes), kms, aad), `${bytes}-byte tag`).rejects.toBeInstanceOf(DecryptionError);
    }
    // refused before KMS is asked to unwrap anything
    expect(keys.unwrapped).toBe(0);
    expect(await reader.open(sealed, kms, aad)).toBe("secret");
  });

  it("refuses an IV other than 12 bytes, though GCM accepts any length", async () => {
    // Prepare: the same message sealed again under the same data key with a 16-byte IV
    const keys = new RecordingKeys();
    const sealed = await new EnvelopeCipher(keys).seal("secret", kms, aad);
    const iv = randomBytes(16);
    const cipher = createCipheriv("aes-256-gcm", keys.key(0), iv);
    // the cipher's AAD encoding (key-sorted JSON pairs)
    cipher.setAAD(Buffer.from(JSON.stringify(Object.keys(aad).sort().map((k) => [k, aad[k as keyof typeof aad]]))));
    const ciphertext = Buffer.concat([cipher.update("secret", "utf8"), cipher.final()]);
    const longIv = { ...sealed, iv: iv.toString("base64"), tag: cipher.getAuthTag().toString("base64"), ciphertext: ciphertext.toString("base64") };

    // Act
    const attempt = new EnvelopeCipher(keys).open(longIv, kms, aad);

    // Assess
    await expect(attempt).rejects.toMatchObject({ code: "crypto.decrypt_failed", status: 422 });
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
