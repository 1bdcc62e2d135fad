import { describe, expect, it } from "vitest";
import { WEBHOOK_SECRET_PREFIX } from "@herald/contracts";
import { DecryptionError, EnvelopeCipher } from "@herald/crypto";
import { MemoryDataKeyProvider } from "@herald/crypto/memory";
import { generateSecret, openSecret, ROTATION_OVERLAP_MS, sealSecret, signingSecrets } from "../../src/secrets";
import type { StoredSecret } from "../../src/webhook-store";

const at = new Date("2026-12-03T10:00:00.000Z");
const newCipher = () => new EnvelopeCipher(new MemoryDataKeyProvider());

describe("generateSecret", () => {
  it("gives whsec_ and 32 random bytes in base64, new each time", () => {
    const secret = generateSecret();
    expect(secret.startsWith(WEBHOOK_SECRET_PREFIX)).toBe(true);
    expect(Buffer.from(secret.slice(WEBHOOK_SECRET_PREFIX.length), "base64")).toHaveLength(32);
    expect(generateSecret()).not.toBe(secret);
  });
});

describe("sealSecret and openSecret", () => {
  it("opens what it sealed for the same tenant and endpoint, with no plaintext at rest", async () => {
    // Prepare
    const cipher = newCipher();
    const secret = generateSecret();

    // Act
    const stored = await sealSecret(cipher, "acme", "wh_000000000000000000000001", secret, at);

    // Assess
    expect(stored.created_at).toBe(at.toISOString());
    expect(JSON.stringify(stored)).not.toContain(secret.slice(WEBHOOK_SECRET_PREFIX.length));
    expect(await openSecret(cipher, "acme", "wh_000000000000000000000001", stored)).toBe(secret);
  });

  it("does not open a secret copied onto another endpoint", async () => {
    const cipher = newCipher();
    const stored = await sealSecret(cipher, "acme", "wh_000000000000000000000001", generateSecret(), at);
    await expect(openSecret(cipher, "acme", "wh_000000000000000000000002", stored)).rejects.toThrow(DecryptionError);
  });

  it("does not open a secret under another tenant", async () => {
    const cipher = newCipher();
    const stored = await sealSecret(cipher, "acme", "wh_000000000000000000000001", generateSecret(), at);
    await expect(openSecret(cipher, "other", "wh_000000000000000000000001", stored)).rejects.toThrow(DecryptionError);
  });

  it("does not open a secret whose creation time was changed", async () => {
    const cipher = newCipher();
    const stored = await sealSecret(cipher, "acme", "wh_000000000000000000000001", generateSecret(), at);
    await expect(openSecret(cipher, "acme", "wh_000000000000000000000001", { ...stored, created_at: "2026-12-04T10:00:00.000Z" })).rejects.toThrow(
      DecryptionError,
    );
  });
});

describe("signingSecrets", () => {
  const sealed = { v: 1, alg: "AES-256-GCM", key: "", key_id: "", iv: "", tag: "", ciphertext: "" } as const;
  const current: StoredSecret = { sealed, created_at: at.toISOString() };
  const previous: StoredSecret = { sealed, created_at: "2026-12-01T10:00:00.000Z", expires_at: new Date(at.getTime() + ROTATION_OVERLAP_MS).toISOString() };

  it("keeps the current secret and a rotated-out one until it expires", () => {
    expect(signingSecrets([current, previous], at)).toEqual([current, previous]);
    expect(signingSecrets([current, previous], new Date(at.getTime() + ROTATION_OVERLAP_MS - 1))).toEqual([current, previous]);
  });

  it("drops a rotated-out secret once it has expired", () => {
    expect(signingSecrets([current, previous], new Date(at.getTime() + ROTATION_OVERLAP_MS))).toEqual([current]);
  });

  it("has a 24 hour overlap", () => {
    expect(ROTATION_OVERLAP_MS).toBe(24 * 3600 * 1000);
  });
});
