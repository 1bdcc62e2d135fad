import { describe, expect, it, vi } from "vitest";
import { EnvelopeCipher } from "../../src";
import { isZeroed, RecordingKeys } from "./recording-keys";

const tenant = (name: string) => ({ purpose: "test", tenant: name });
const aad = { message_id: "m1", recipients: "alice@example.com" };

describe("EnvelopeCipher's data keys", () => {
  it("zeroes a sealing key once it has sealed its maximum of messages", async () => {
    // Prepare
    const keys = new RecordingKeys();
    const cipher = new EnvelopeCipher(keys, { maxAgeMs: 60_000, maxMessages: 3 }, () => 1);

    // Act
    for (let i = 0; i < 2; i++) await cipher.seal("x", tenant("acme"), aad);
    const inUse = isZeroed(keys.key(0));
    await cipher.seal("x", tenant("acme"), aad);

    // Assess
    expect(inUse).toBe(false);
    expect(isZeroed(keys.key(0))).toBe(true);
    expect(keys.handedOut).toHaveLength(1);
  });

  it("zeroes a sealing key that is too old when the next seal replaces it", async () => {
    // Prepare
    let now = 0;
    const keys = new RecordingKeys();
    const cipher = new EnvelopeCipher(keys, { maxAgeMs: 1000, maxMessages: 100 }, () => now);
    await cipher.seal("x", tenant("acme"), aad);

    // Act
    now = 1000;
    await cipher.seal("x", tenant("acme"), aad);

    // Assess
    expect(isZeroed(keys.key(0))).toBe(true);
    expect(isZeroed(keys.key(1))).toBe(false);
  });

  it("zeroes an idle key when its age runs out, with no further call", async () => {
    // Prepare
    const keys = new RecordingKeys();
    const cipher = new EnvelopeCipher(keys, { maxAgeMs: 20, maxMessages: 100 });
    const sealed = await cipher.seal("x", tenant("acme"), aad);
    await cipher.open(sealed, tenant("acme"), aad);

    // Act + Assess: the sealing key and the unwrapped copy, zeroed by the cache's own timer (a
    // real one, 20 ms; under a loaded machine it may fire late, so wait for it up to 2 s)
    expect(keys.handedOut).toHaveLength(2);
    await vi.waitFor(() => expect(keys.handedOut.every(isZeroed)).toBe(true), { timeout: 2000, interval: 20 });
  });

  it("holds at most maxKeys tenants' keys and zeroes the least recently used", async () => {
    // Prepare
    const keys = new RecordingKeys();
    const cipher = new EnvelopeCipher(keys, { maxAgeMs: 60_000, maxMessages: 100, maxKeys: 2 }, () => 1);
    await cipher.seal("x", tenant("acme"), aad);
    await cipher.seal("x", tenant("globex"), aad);
    await cipher.seal("x", tenant("acme"), aad); // acme used last: globex is the LRU one

    // Act
    await cipher.seal("x", tenant("initech"), aad);

    // Assess
    expect(isZeroed(keys.key(1))).toBe(true); // globex's
    expect(isZeroed(keys.key(0))).toBe(false);
    await cipher.seal("x", tenant("acme"), aad);
    expect(keys.inner.generated).toBe(3);
    await cipher.seal("x", tenant("globex"), aad);
    expect(keys.inner.generated).toBe(4);
  });

  it("holds at most maxKeys unwrapped keys and zeroes the least recently used", async () => {
    // Prepare
    const keys = new RecordingKeys();
    const writer = new EnvelopeCipher(keys);
    const acme = await writer.seal("a", tenant("acme"), aad);
    const globex = await writer.seal("g", tenant("globex"), aad);
    const reader = new EnvelopeCipher(keys, { maxAgeMs: 60_000, maxMessages: 100, maxKeys: 1 }, () => 1);
    await reader.open(acme, tenant("acme"), aad);

    // Act
    await reader.open(globex, tenant("globex"), aad);

    // Assess: #2 is acme's unwrapped key, #3 globex's
    expect(isZeroed(keys.key(2))).toBe(true);
    expect(isZeroed(keys.key(3))).toBe(false);
    expect(await reader.open(acme, tenant("acme"), aad)).toBe("a");
    expect(keys.inner.unwrapped).toBe(3);
  });

  it("never seals with a key zeroed under it, however seals of many tenants interleave", async () => {
    // Prepare: one key at a time, two messages per key, so keys leave the cache all the time
    const keys = new RecordingKeys();
    const cipher = new EnvelopeCipher(keys, { maxAgeMs: 60_000, maxMessages: 2, maxKeys: 1 });
    const names = ["acme", "globex", "initech"];

    // Act
    const sealed = await Promise.all(
      Array.from({ length: 30 }, (_, i) => {
        const name = names[i % names.length] ?? "acme";
        return cipher.seal(`m${i}`, tenant(name), aad).then((s) => ({ s, name, text: `m${i}` }));
      }),
    );

    // Assess: every message opens (one sealed under a zeroed key would fail its tag)
    const reader = new EnvelopeCipher(keys);
    for (const { s, name, text } of sealed) expect(await reader.open(s, tenant(name), aad)).toBe(text);
    expect(keys.inner.generated).toBeGreaterThanOrEqual(15);
  });

  it("never opens with a key zeroed under it, however opens of many tenants interleave", async () => {
    // Prepare
    const keys = new RecordingKeys();
    const writer = new EnvelopeCipher(keys);
    const names = ["acme", "globex", "initech"];
    const sealed = await Promise.all(names.map(async (name) => ({ name, s: await writer.seal(name, tenant(name), aad) })));
    const reader = new EnvelopeCipher(keys, { maxAgeMs: 60_000, maxMessages: 100, maxKeys: 1 });

    // Act
    const opened = await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        const one = sealed[i % sealed.length];
        if (!one) throw new Error("no record");
        return { name: one.name, text: await reader.open(one.s, tenant(one.name), aad) };
      }),
    );

    // Assess
    for (const { name, text } of opened) expect(text).toBe(name);
  });
});
