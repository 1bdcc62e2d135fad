import { describe, expect, it } from "vitest";
import type { StoredSecret } from "@herald/webhooks";
import { cachingOpener, type SecretOpener } from "../../src/secret-cache";

const sealed = (ciphertext: string): StoredSecret => ({
  sealed: { v: 1, alg: "AES-256-GCM", key: "a2V5", key_id: "k", iv: "aXY=", tag: "dGFn", ciphertext },
  created_at: "2026-12-03T10:00:00.000Z",
});

function counting(fail = false): { open: SecretOpener; calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    open: async (_tenant, _id, secret) => {
      calls.push(secret.sealed.ciphertext);
      if (fail) throw new Error("kms unavailable");
      return `whsec_${secret.sealed.ciphertext}`;
    },
  };
}

describe("cachingOpener", () => {
  it("opens a sealed secret once, and concurrent opens share the call", async () => {
    // Prepare
    const inner = counting();
    const open = cachingOpener(inner.open);
    // Act
    const results = await Promise.all([open("acme", "wh_1", sealed("c1")), open("acme", "wh_1", sealed("c1")), open("acme", "wh_1", sealed("c1"))]);
    // Assess
    expect(results).toEqual(["whsec_c1", "whsec_c1", "whsec_c1"]);
    expect(inner.calls).toEqual(["c1"]);
  });

  it("keys by the sealed form with its tenant and endpoint: another secret, tenant or endpoint is opened on its own", async () => {
    const inner = counting();
    const open = cachingOpener(inner.open);
    await open("acme", "wh_1", sealed("c1"));
    await open("acme", "wh_1", sealed("c2"));
    await open("other", "wh_1", sealed("c1"));
    await open("acme", "wh_2", sealed("c1"));
    expect(inner.calls).toHaveLength(4);
  });

  it("opens again after maxAgeMs, and drops the least recently used past maxEntries", async () => {
    // Prepare
    let clock = 0;
    const inner = counting();
    const open = cachingOpener(inner.open, { maxEntries: 2, maxAgeMs: 1000 }, () => clock);
    await open("acme", "wh_1", sealed("c1"));
    await open("acme", "wh_1", sealed("c2"));
    // Act: c1 used again (now the most recent), c3 pushes out c2; then c1 ages out
    await open("acme", "wh_1", sealed("c1"));
    await open("acme", "wh_1", sealed("c3"));
    await open("acme", "wh_1", sealed("c2"));
    clock = 1000;
    await open("acme", "wh_1", sealed("c3"));
    // Assess
    expect(inner.calls).toEqual(["c1", "c2", "c3", "c2", "c3"]);
  });

  it("does not keep a failed open", async () => {
    const failing = counting(true);
    const open = cachingOpener(failing.open);
    await expect(open("acme", "wh_1", sealed("c1"))).rejects.toThrow("kms unavailable");
    await expect(open("acme", "wh_1", sealed("c1"))).rejects.toThrow("kms unavailable");
    expect(failing.calls).toHaveLength(2);
  });
});
