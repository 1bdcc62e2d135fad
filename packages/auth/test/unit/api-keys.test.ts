import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { Roles } from "@herald/contracts";
import { createApiKey, generateApiKey, hashApiKey, keyIdOf, looksLikeApiKey, sameHash } from "../../src/index";
import { MemoryApiKeyStore } from "../../src/memory-api-key-store";

const NOW = new Date("2030-01-01T00:00:00.000Z");

describe("generateApiKey", () => {
  it("makes a key of the form hk_<12 hex key id>_<43 base64url characters>", () => {
    // Prepare
    const pattern = /^hk_([0-9a-f]{12})_[A-Za-z0-9_-]{43}$/;

    // Act
    const { key, keyId } = generateApiKey();

    // Assess
    expect(key).toMatch(pattern);
    expect(pattern.exec(key)?.[1]).toBe(keyId);
  });

  it("returns the SHA-256 of the whole key as its hash", () => {
    // Prepare
    const expected = (key: string) => createHash("sha256").update(key).digest("hex");

    // Act
    const { key, hash } = generateApiKey();

    // Assess
    expect(hash).toBe(expected(key));
    expect(hash).toBe(hashApiKey(key));
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("makes a different key and key id every time", () => {
    // Prepare
    const count = 50;

    // Act
    const keys = Array.from({ length: count }, () => generateApiKey());

    // Assess
    expect(new Set(keys.map((k) => k.key)).size).toBe(count);
    expect(new Set(keys.map((k) => k.keyId)).size).toBe(count);
  });
});

describe("looksLikeApiKey and keyIdOf", () => {
  it("recognise a generated key and return its key id", () => {
    // Prepare
    const { key, keyId } = generateApiKey();

    // Act
    const looks = looksLikeApiKey(key);
    const id = keyIdOf(key);

    // Assess
    expect(looks).toBe(true);
    expect(id).toBe(keyId);
  });

  it.each([
    ["an empty string", ""],
    ["a key without its secret", "hk_0123456789ab_"],
    ["a key with a short secret", `hk_0123456789ab_${"a".repeat(42)}`],
    ["a key with an upper-case key id", `hk_0123456789AB_${"a".repeat(43)}`],
    ["a key with another prefix", `sk_0123456789ab_${"a".repeat(43)}`],
    ["a key with trailing text", `hk_0123456789ab_${"a".repeat(43)} x`],
    ["a JWT", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"],
  ])("reject %s", (_, value) => {
    // Prepare
    const input = value;

    // Act
    const looks = looksLikeApiKey(input);
    const id = keyIdOf(input);

    // Assess
    expect(looks).toBe(false);
    expect(id).toBeUndefined();
  });
});

describe("sameHash", () => {
  it("is true for equal hashes and false for different or differently sized ones", () => {
    // Prepare
    const a = generateApiKey().hash;
    const b = generateApiKey().hash;

    // Act
    const results = [sameHash(a, a), sameHash(a, b), sameHash(a, a.slice(0, 32))];

    // Assess
    expect(results).toEqual([true, false, false]);
  });
});

describe("createApiKey", () => {
  it("stores only the key's hash, never the key or its secret", async () => {
    // Prepare
    const store = new MemoryApiKeyStore();

    // Act
    const { key, record } = await createApiKey(store, { tenant: "acme", roles: [Roles.send] }, NOW);

    // Assess
    const stored = await store.list();
    expect(stored).toEqual([record]);
    const secret = key.split("_").slice(2).join("_");
    const serialized = JSON.stringify(stored);
    expect(serialized).not.toContain(key);
    expect(serialized).not.toContain(secret);
    expect(record.hash).toBe(hashApiKey(key));
    expect(await store.findByHash(hashApiKey(key))).toEqual(record);
  });

  it("names the key's principal key:<key id>, or key:<name> when a name is given, a namespace no token subject may enter", async () => {
    // Prepare
    const store = new MemoryApiKeyStore();

    // Act
    const anonymous = await createApiKey(store, { tenant: "acme", roles: [Roles.send] }, NOW);
    const named = await createApiKey(store, { principal: "billing", tenant: "acme", roles: [Roles.send] }, NOW);
    const successor = await createApiKey(store, { principal: anonymous.record.principal, tenant: "acme", roles: [Roles.send] }, NOW);

    // Assess
    expect(anonymous.record.principal).toBe(`key:${anonymous.record.key_id}`);
    expect(anonymous.record.key_id).toBe(keyIdOf(anonymous.key));
    expect(named.record.principal).toBe("key:billing");
    expect(successor.record.principal).toBe(anonymous.record.principal);
  });

  it("records tenant, de-duplicated roles, description and creation time", async () => {
    // Prepare
    const store = new MemoryApiKeyStore();

    // Act
    const { record } = await createApiKey(
      store,
      { tenant: "acme", roles: [Roles.send, Roles.read, Roles.send], description: "billing service" },
      NOW,
    );

    // Assess
    expect(record).toMatchObject({
      tenant: "acme",
      roles: [Roles.send, Roles.read],
      description: "billing service",
      created_at: NOW.toISOString(),
    });
    expect(record).not.toHaveProperty("revoked_at");
  });
});
