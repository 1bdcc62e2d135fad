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
});
