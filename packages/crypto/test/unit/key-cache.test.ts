import { describe, expect, it } from "vitest";
import { KeyCache } from "../../src/key-cache";

const aKey = (byte: number) => ({ plaintext: Buffer.alloc(32, byte) });
const zeroed = (key: { plaintext: Buffer }) => key.plaintext.every((b) => b === 0);

describe("KeyCache", () => {
  it("pushes out and zeroes the least recently read key when full", () => {
    // Prepare
    const cache = new KeyCache({ maxKeys: 2, maxAgeMs: 60_000 }, () => 0);
    const [a, b, c] = [aKey(1), aKey(2), aKey(3)];
    cache.set("a", a);
    cache.set("b", b);
    cache.get("a"); // b is now the least recently used

    // Act
    cache.set("c", c);

    // Assess
    expect([cache.get("a"), cache.get("b"), cache.get("c")]).toEqual([a, undefined, c]);
    expect([zeroed(a), zeroed(b), zeroed(c)]).toEqual([false, true, false]);
  });

  it("zeroes a key replaced by another under the same id, and not one stored again", () => {
    // Prepare
    const cache = new KeyCache({ maxKeys: 2, maxAgeMs: 60_000 }, () => 0);
    const [a, b] = [aKey(1), aKey(2)];
    cache.set("x", a);

    // Act
    cache.set("x", a);
    const again = zeroed(a);
    cache.set("x", b);

    // Assess
    expect(again).toBe(false);
    expect(zeroed(a)).toBe(true);
    expect(cache.get("x")).toBe(b);
    expect(cache.size).toBe(1);
  });

  it("drops and zeroes a key read at its maximum age, and one deleted", () => {
    // Prepare
    let now = 0;
    const cache = new KeyCache({ maxKeys: 2, maxAgeMs: 1000 }, () => now);
    const [a, b] = [aKey(1), aKey(2)];
    cache.set("a", a);
    cache.set("b", b);

    // Act
    now = 999;
    const young = cache.get("a");
    now = 1000;
    const old = cache.get("a");
    cache.delete("b");

    // Assess
    expect(young).toBe(a);
    expect(old).toBeUndefined();
    expect([zeroed(a), zeroed(b), cache.size]).toEqual([true, true, 0]);
  });
});
