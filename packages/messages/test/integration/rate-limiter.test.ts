import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { oneConnectionToEmulator, provision, startMoto, useEmulatorEnv, type Emulator } from "@herald/testing";
import { DynamoRateLimiter } from "../../src/dynamo";

let moto: Emulator;
let tableName: string;

beforeAll(async () => {
  moto = await startMoto();
  useEmulatorEnv(moto.endpoint);
  ({ tableName } = await provision({ prefix: "rate-it", senders: [] }));
});

afterAll(async () => {
  await moto.stop();
});

/** A client that counts the UpdateItem calls it makes (refused conditional writes included). */
function countingClient(connection: ReturnType<typeof oneConnectionToEmulator>, count: { writes: number }): DynamoDBClient {
  const client = new DynamoDBClient(connection);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === "UpdateItemCommand") count.writes += 1;
      return next(args);
    },
    { step: "initialize", name: "countWrites" },
  );
  return client;
}

describe("DynamoRateLimiter", () => {
  it("keeps three workers together at the rate, with fewer writes than sends", async () => {
    // Prepare: three "workers", each with its own limiter and client, sharing the rate of 20/s
    // (one connection to the emulator for all three: the limiters still share nothing but the table)
    const connection = oneConnectionToEmulator();
    const count = { writes: 0 };
    const workers = Array.from(
      { length: 3 },
      () => new DynamoRateLimiter(countingClient(connection, count), tableName, { name: "pace", perSecond: 20 }),
    );
    const stamps: number[] = [];

    // Act: 60 sends, one at a time in each worker (as a consumer sends its batch)
    const started = Date.now();
    await Promise.all(
      workers.map(async (limiter) => {
        for (let i = 0; i < 20; i++) {
          await limiter.acquire();
          stamps.push(Date.now() - started);
        }
      }),
    );
    const elapsed = Date.now() - started;

    // Assess: never more than the rate: no second holds more than 20 sends plus one block (5) a
    // worker may spend late; 60 sends at 20/s take about 3 s; and one write paid for a block of
    // sends (12 blocks of 5), the busy timeline's blocks taken with writes none of the others
    // refused: only the first claims race (two refused), and a few slots may go stale
    stamps.sort((a, b) => a - b);
    for (let i = 0; i + 25 < stamps.length; i++) expect(stamps[i + 25] as number - (stamps[i] as number)).toBeGreaterThanOrEqual(1000);
    expect(elapsed).toBeGreaterThanOrEqual(2_700);
    expect(count.writes).toBeLessThanOrEqual(60 / 5 + 4);
  });

  it("holds the timeline across workers exactly: blocks never overlap", async () => {
    // Prepare: a clock that stands still, so every slot is visible as the time each acquire waited for
    let now = 1_900_000_000_000;
    const waits: number[] = [];
    const sleep = async (ms: number) => {
      waits.push(now + ms);
    };
    const a = new DynamoRateLimiter(new DynamoDBClient({}), tableName, { name: "exact", perSecond: 10, blockSize: 3, now: () => now, sleep });
    const b = new DynamoRateLimiter(new DynamoDBClient({}), tableName, { name: "exact", perSecond: 10, blockSize: 3, now: () => now, sleep });

    // Act: a takes a block (slots at +0, +100, +200 ms), then b (+300, +400, +500), then a again
    for (const limiter of [a, a, a, b, b, b, a]) expect(await limiter.acquire()).toBe(true);

    // Assess: the first slot is now (no wait), then one every 100 ms, in the order the blocks were taken
    expect(waits).toEqual([100, 200, 300, 400, 500, 600].map((ms) => now + ms));
    now += 10_000;
  });

  it("restarts a paused timeline from now: no slots in the past, so no burst after a pause", async () => {
    // Prepare: a took one block and sent from it; then nothing for ten seconds
    let now = 1_950_000_000_000;
    const waits: number[] = [];
    const sleep = async (ms: number) => void waits.push(now + ms);
    const a = new DynamoRateLimiter(new DynamoDBClient({}), tableName, { name: "paused", perSecond: 10, blockSize: 3, now: () => now, sleep });
    const b = new DynamoRateLimiter(new DynamoDBClient({}), tableName, { name: "paused", perSecond: 10, blockSize: 3, now: () => now, sleep });
    for (let i = 0; i < 3; i++) await a.acquire();
    now += 10_000;
    waits.length = 0;

    // Act: both send again, four each
    for (const limiter of [b, b, b, a, a, a, b, a]) expect(await limiter.acquire()).toBe(true);

    // Assess: slots 100 ms apart from now on, none spent at once (the first is now itself, no
    // wait): b restarts the timeline (now, +100, +200), a's refused write learns it and adds the
    // next block (+300..+500), then b (+600) and a (+900) take one block each
    expect(waits).toEqual([100, 200, 300, 400, 500, 600, 900].map((ms) => now + ms));
  });

  it("gives up at once when no slot comes free within the wait it is allowed, and keeps that slot for its next send", async () => {
    // Prepare: 1 send per second; the first send takes the slot of now, the next is a second away
    const now = () => 1_800_000_000_000;
    const sleeps: number[] = [];
    const limiter = new DynamoRateLimiter(new DynamoDBClient({}), tableName, { name: "bounded", perSecond: 1, now, sleep: async (ms) => void sleeps.push(ms) });
    expect(await limiter.acquire()).toBe(true);

    // Act: longer than the 50 ms this send may wait
    const started = Date.now();
    const taken = await limiter.acquire(50);

    // Assess: not taken, at once, with no wait; the next caller that may wait gets that slot, a second on
    expect(taken).toBe(false);
    expect(Date.now() - started).toBeLessThan(500);
    expect(sleeps).toEqual([]);
    expect(await limiter.acquire(5_000)).toBe(true);
    expect(sleeps).toEqual([1000]);
  });
});
