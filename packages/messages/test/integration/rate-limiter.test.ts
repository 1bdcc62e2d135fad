import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";
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

describe("DynamoRateLimiter", () => {
  it("keeps three workers together at the rate, paced through each second", async () => {
    // Prepare: three "workers", each with its own limiter and client, sharing the rate of 20/s
    // One connection to the emulator for all three (see oneConnectionToEmulator): the limiters
    // still share nothing but the table.
    const connection = oneConnectionToEmulator();
    const workers = Array.from(
      { length: 3 },
      () => new DynamoRateLimiter(new DynamoDBClient(connection), tableName, { name: "pace", perSecond: 20 }),
    );
    const stamps: number[] = [];

    // Act: 60 sends, 20 at a time from each worker
    const started = Date.now();
    await Promise.all(
      workers.map(async (limiter) => {
        await Promise.all(
          Array.from({ length: 20 }, async () => {
            await limiter.acquire();
            stamps.push(Date.now() - started);
          }),
        );
      }),
    );

    // Assess on the shared counters themselves (timing-free): no 100 ms window gave out more than
    // its share (2 at 20/s), and 60 sends needed at least 30 windows, so ~3 s at 20/s.
    const { Items = [] } = await DynamoDBDocumentClient.from(new DynamoDBClient({})).send(
      new QueryCommand({ TableName: tableName, KeyConditionExpression: "pk = :pk", ExpressionAttributeValues: { ":pk": "RATE#pace" } }),
    );
    const used = Items.map((item) => Number(item.used));
    expect(stamps).toHaveLength(60);
    expect(used.reduce((a, b) => a + b, 0)).toBe(60);
    expect(Math.max(...used)).toBeLessThanOrEqual(2);
    expect(used.length).toBeGreaterThanOrEqual(30);
    // 30 windows of 100 ms, the first possibly entered at its very end
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_700);
  });

  it("gives up without taking a slot when none comes free within the wait it is allowed", async () => {
    // Prepare: 1 send per second, so one slot per 1 s window; the first send takes it, at the
    // start of a window (a clock that stands still: the next slot is a whole second away)
    const now = () => 1_800_000_000_000;
    const limiter = new DynamoRateLimiter(new DynamoDBClient({}), tableName, { name: "bounded", perSecond: 1, now });
    expect(await limiter.acquire()).toBe(true);

    // Act: longer than the 50 ms this send may wait
    const started = Date.now();
    const taken = await limiter.acquire(50);
    const waited = Date.now() - started;

    // Assess: not taken, at once, and the counter holds the first send only
    const { Items = [] } = await DynamoDBDocumentClient.from(new DynamoDBClient({})).send(
      new QueryCommand({ TableName: tableName, KeyConditionExpression: "pk = :pk", ExpressionAttributeValues: { ":pk": "RATE#bounded" } }),
    );
    expect(taken).toBe(false);
    expect(waited).toBeLessThan(500);
    expect(Items.map((item) => Number(item.used))).toEqual([1]);
  });
});
