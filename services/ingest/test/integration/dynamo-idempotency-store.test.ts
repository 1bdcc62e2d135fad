import { createHash } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { idempotencyKey } from "@herald/table";
import { documentClient } from "@herald/table/client";
import { oneConnectionToEmulator, provision, startMoto, useEmulatorEnv, type Emulator } from "@herald/testing";
import { DynamoIdempotencyStore } from "../../src/adapters/dynamo-idempotency-store";
import type { BeginRequest, KeyClaim } from "../../src/ports/idempotency-store";

let moto: Emulator;
let store: DynamoIdempotencyStore;
let client: DynamoDBClient;
let tableName: string;

beforeAll(async () => {
  moto = await startMoto();
  useEmulatorEnv(moto.endpoint);
  ({ tableName } = await provision({ prefix: "idem-it", senders: [] }));
  // Racing claims are decided atomically by DynamoDB; by moto only one request at a time.
  client = new DynamoDBClient(oneConnectionToEmulator());
  store = new DynamoIdempotencyStore(client, tableName);
});

afterAll(async () => {
  await moto.stop();
});

const scope = (key: string) => ({ tenant: "acme", principal: "svc", key });
const NOW = new Date("2026-11-23T10:00:00Z");
const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);
const request = (fingerprint: string, messageId: string, now = NOW, ttlSeconds = 86_400): BeginRequest => ({
  fingerprint,
  messageId,
  now,
  ttlSeconds,
  leaseSeconds: 60,
});
const claimOf = (result: Awaited<ReturnType<DynamoIdempotencyStore["begin"]>>): KeyClaim => {
  if (!result.claimed) throw new Error("not claimed");
  return result.claim;
};

describe("DynamoIdempotencyStore", () => {
  it("lets exactly one of concurrent begins claim a key", async () => {
    // Act
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => store.begin(scope("race"), request("f1", `m${i}`))));

    // Assess
    expect(results.filter((r) => r.claimed)).toHaveLength(1);
    expect(results.filter((r) => !r.claimed).every((r) => !r.claimed && r.entry.state === "in_progress")).toBe(true);
  });

  it("keeps the response for repeats, and treats an expired entry as absent", async () => {
    const claim = claimOf(await store.begin(scope("done"), request("f2", "m1", NOW, 60)));
    expect(await store.complete(scope("done"), claim, { status: 202, body: { id: "m1" } })).toBe(true);
    expect(await store.begin(scope("done"), request("f2", "m2", NOW, 60))).toEqual({
      claimed: false,
      entry: { fingerprint: "f2", state: "done", response: { status: 202, body: { id: "m1" } } },
    });
    expect(await store.begin(scope("done"), request("f3", "m3", at(61), 60))).toEqual({
      claimed: true,
      claim: { messageId: "m3", leaseUntil: at(121).getTime(), takenOver: false },
    });
  });

  it("frees a released key", async () => {
    const claim = claimOf(await store.begin(scope("free"), request("f4", "m1")));
    await store.release(scope("free"), claim);
    expect(await store.begin(scope("free"), request("f4", "m2"))).toMatchObject({ claimed: true, claim: { messageId: "m2", takenOver: false } });
  });

  it("lets a retry take over a key in progress only once its lease has run out, keeping its message id", async () => {
    // Prepare: a request took the key at NOW and never completed it
    await store.begin(scope("lease"), request("f5", "first"));

    // Act
    const before = await store.begin(scope("lease"), request("f5", "second", at(59)));
    const after = await store.begin(scope("lease"), request("f5", "third", at(61)));

    // Assess
    expect(before).toEqual({ claimed: false, entry: { fingerprint: "f5", state: "in_progress" } });
    expect(after).toEqual({ claimed: true, claim: { messageId: "first", leaseUntil: at(121).getTime(), takenOver: true } });
  });

  it("lets exactly one of concurrent retries take over an expired lease", async () => {
    // Prepare
    await store.begin(scope("takeover-race"), request("f6", "first"));

    // Act
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => store.begin(scope("takeover-race"), request("f6", `retry${i}`, at(61)))));

    // Assess
    const won = results.filter((r) => r.claimed);
    expect(won).toHaveLength(1);
    expect(won[0]).toMatchObject({ claim: { messageId: "first", takenOver: true } });
  });

  it("never takes over a key for another body, however old its lease", async () => {
    await store.begin(scope("other-body"), request("f7", "first"));
    expect(await store.begin(scope("other-body"), request("f-other", "second", at(3600)))).toEqual({
      claimed: false,
      entry: { fingerprint: "f7", state: "in_progress" },
    });
  });

  it("lets only the current holder complete or release a key that was taken over", async () => {
    // Prepare: A took the key, its lease ran out, B took it over
    const a = claimOf(await store.begin(scope("holder"), request("f8", "m1")));
    const b = claimOf(await store.begin(scope("holder"), request("f8", "m2", at(61))));

    // Act
    await store.release(scope("holder"), a);
    const aCompleted = await store.complete(scope("holder"), a, { status: 202, body: { id: "from-a" } });
    const bCompleted = await store.complete(scope("holder"), b, { status: 202, body: { id: "m1" } });

    // Assess
    expect([aCompleted, bCompleted]).toEqual([false, true]);
    expect(await store.begin(scope("holder"), request("f8", "m3", at(62)))).toEqual({
      claimed: false,
      entry: { fingerprint: "f8", state: "done", response: { status: 202, body: { id: "m1" } } },
    });
  });

  it("takes over a key written before leases existed once it is older than the lease", async () => {
    // Prepare: the item an earlier version wrote: no lease, no message id
    const db = documentClient(client);
    const key = createHash("sha256").update("svc\nlegacy", "utf8").digest("hex");
    await db.send(
      new PutCommand({
        TableName: tableName,
        Item: { ...idempotencyKey("acme", key), fingerprint: "f9", state: "in_progress", created_at: NOW.toISOString(), expires_at: Math.floor(NOW.getTime() / 1000) + 86_400 },
      }),
    );

    // Act
    const before = await store.begin(scope("legacy"), request("f9", "fresh", at(30)));
    const after = await store.begin(scope("legacy"), request("f9", "fresh", at(61)));

    // Assess
    expect(before.claimed).toBe(false);
    expect(after).toEqual({ claimed: true, claim: { messageId: "fresh", leaseUntil: at(121).getTime(), takenOver: true } });
    const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: idempotencyKey("acme", key) }));
    expect(Item).toMatchObject({ message_id: "fresh", lease_until: at(121).getTime() });
  });
});
