import { describe, expect, it } from "vitest";
import { aMessageRecord } from "@herald/testing";
import { MemoryMessageStore } from "../../src/memory-message-store";
import { describeMessageStore } from "../message-store-behaviour";

describeMessageStore("MemoryMessageStore", () => new MemoryMessageStore());

describe("MemoryMessageStore copies", () => {
  it("does not let a caller change a stored record through the one it created or read", async () => {
    // Prepare
    const store = new MemoryMessageStore();
    const record = aMessageRecord();
    await store.create(record);

    // Act
    record.status = "sent";
    const read = await store.get(record.id);
    read?.history.push({ status: "failed", at: record.created_at });

    // Assess
    const stored = await store.get(record.id);
    expect(stored?.status).toBe("queued");
    expect(stored?.history).toHaveLength(1);
  });
});
