import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { provision, startMoto, useEmulatorEnv, type Emulator } from "@herald/testing";
import { DynamoRateLimiter } from "../../src";

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
    const workers = Array.from({ length: 3 }, () => new DynamoRateLimiter(new DynamoDBClient({}), tableName, { name: "pace", perSecond: 20 }));
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

    // Assess: 60 at 20/s take at least ~2.8 s, and no wall-clock second holds more than 20 plus
    // one window's worth (2): a stamp is taken after the round trip, so a slot taken at the end
    // of one second can be stamped in the next.
    const elapsed = Date.now() - started;
    expect(stamps).toHaveLength(60);
    expect(elapsed).toBeGreaterThanOrEqual(2_800);
    const perSecond = new Map<number, number>();
    for (const t of stamps) perSecond.set(Math.floor((t + (started % 1000)) / 1000), (perSecond.get(Math.floor((t + (started % 1000)) / 1000)) ?? 0) + 1);
    expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(22);
  });
});
