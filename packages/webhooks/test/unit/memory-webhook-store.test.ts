import { describe, expect, it } from "vitest";
import { MemoryWebhookStore } from "../../src/memory-webhook-store";
import { anEndpoint, describeWebhookStore } from "../webhook-store-behaviour";

describeWebhookStore("MemoryWebhookStore", () => new MemoryWebhookStore());

describe("MemoryWebhookStore copies", () => {
  it("does not let a caller change a stored endpoint through the one it created or read", async () => {
    // Prepare
    const store = new MemoryWebhookStore();
    const endpoint = anEndpoint("acme");
    await store.create(endpoint);

    // Act
    endpoint.url = "https://changed.example.com/";
    const read = await store.get("acme", endpoint.id);
    read?.secrets.pop();

    // Assess
    const stored = await store.get("acme", endpoint.id);
    expect(stored?.url).toBe("https://hooks.example.com/herald");
    expect(stored?.secrets).toHaveLength(1);
  });
});
