import { describe, expect, it } from "vitest";
import { lazyDataKeyProvider } from "../../src";
import { MemoryDataKeyProvider } from "../../src/memory-data-key-provider";

const context = { purpose: "test", tenant: "acme" };

describe("lazyDataKeyProvider", () => {
  it("builds the provider on its first use only, and unwraps what it generated", async () => {
    // Prepare
    let loads = 0;
    const provider = lazyDataKeyProvider(async () => {
      loads++;
      return new MemoryDataKeyProvider();
    });
    const before = loads;

    // Act
    const key = await provider.generate(context);
    const unwrapped = await provider.unwrap(key.wrapped, context);

    // Assess
    expect(before).toBe(0);
    expect(loads).toBe(1);
    expect(unwrapped.equals(key.plaintext)).toBe(true);
  });

  it("tries the load again on the next call when it failed", async () => {
    // Prepare
    let loads = 0;
    const provider = lazyDataKeyProvider(async () => {
      loads++;
      if (loads === 1) throw new Error("chunk not found");
      return new MemoryDataKeyProvider();
    });

    // Act
    const first = await provider.generate(context).catch((error: unknown) => error);
    const second = await provider.generate(context);

    // Assess
    expect(first).toBeInstanceOf(Error);
    expect(second.plaintext.length).toBeGreaterThan(0);
    expect(loads).toBe(2);
  });
});
