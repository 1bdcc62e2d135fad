import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { oneConnectionToEmulator, provision, startMoto, useEmulatorEnv, type Emulator } from "@herald/testing";
import { DynamoIdempotencyStore } from "../../src/adapters/dynamo-idempotency-store";

let moto: Emulator;
let store: DynamoIdempotencyStore;

beforeAll(async () => {
  moto = await startMoto();
  useEmulatorEnv(moto.endpoint);
  const { tableName } = await provision({ prefix: "idem-it", senders: [] });
  // Racing claims are decided atomically by DynamoDB; by moto only one request at a time.
  store = new DynamoIdempotencyStore(new DynamoDBClient(oneConnectionToEmulator()), tableName);
});

afterAll(async () => {
  await moto.stop();
});

const scope = (key: string) => ({ tenant: "acme", principal: "svc", key });
const NOW = new Date("2026-11-23T10:00:00Z");

describe("DynamoIdempotencyStore", () => {
  it("lets exactly one of concurrent begins claim a key", async () => {
    // Act
    const results = await Promise.all(Array.from({ length: 8 }, () => store.begin(scope("race"), "f1", NOW, 86_400)));

    // Assess
    expect(results.filter((r) => r.claimed)).toHaveLength(1);
    expect(results.filter((r) => !r.claimed).every((r) => !r.claimed && r.entry.state === "in_progress")).toBe(true);
  });

  it("keeps the response for repeats, and treats an expired entry as absent", async () => {
    await store.begin(scope("done"), "f2", NOW, 60);
    await store.complete(scope("done"), { status: 202, body: { id: "m1" } });
    expect(await store.begin(scope("done"), "f2", NOW, 60)).toEqual({
      claimed: false,
      entry: expect.objectContaining({ fingerprint: "f2", state: "done", response: { status: 202, body: { id: "m1" } } }),
    });
    expect(await store.begin(scope("done"), "f3", new Date(NOW.getTime() + 61_000), 60)).toEqual({ claimed: true });
  });

  it("frees a released key", async () => {
    await store.begin(scope("free"), "f4", NOW, 60);
    await store.release(scope("free"));
    expect(await store.begin(scope("free"), "f4", NOW, 60)).toEqual({ claimed: true });
  });
});
