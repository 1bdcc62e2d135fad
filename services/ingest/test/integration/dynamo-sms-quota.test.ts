import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { quotaKey } from "@herald/table";
import { oneConnectionToEmulator, provision, startMoto, useEmulatorEnv, type Emulator } from "@herald/testing";
import { DynamoSmsQuota } from "../../src/adapters/dynamo-sms-quota";

let moto: Emulator;
let tableName: string;
let client: DynamoDBClient;

beforeAll(async () => {
  moto = await startMoto();
  useEmulatorEnv(moto.endpoint);
  ({ tableName } = await provision({ prefix: "quota-it", senders: [] }));
  // Racing takes are decided atomically by DynamoDB; by moto only one request at a time.
  client = new DynamoDBClient(oneConnectionToEmulator());
});

afterAll(async () => {
  await moto.stop();
});

const NOW = new Date("2026-11-23T23:59:59.500Z");
const counter = async (tenant: string, day: string) =>
  (await DynamoDBDocumentClient.from(new DynamoDBClient({})).send(new GetCommand({ TableName: tableName, Key: quotaKey(tenant, "sms", day) }))).Item;

describe("DynamoSmsQuota", () => {
  it("lets exactly the allowance of concurrent takes from two instances through", async () => {
    // Prepare
    const instances = [new DynamoSmsQuota(client, tableName, { perDay: 5 }), new DynamoSmsQuota(client, tableName, { perDay: 5 })];

    // Act
    const taken = await Promise.all(Array.from({ length: 12 }, (_, i) => instances[i % 2]?.take("race", NOW)));

    // Assess
    expect(taken.filter(Boolean)).toHaveLength(5);
    expect(await counter("race", "2026-11-23")).toMatchObject({ used: 5, expires_at: Math.floor(NOW.getTime() / 1000) + 8 * 86_400 });
  });

  it("counts per tenant and per UTC day", async () => {
    // Prepare
    const quota = new DynamoSmsQuota(client, tableName, { perDay: 1 });
    const nextDay = new Date("2026-11-24T00:00:00.000Z");

    // Act
    const taken = [await quota.take("acme", NOW), await quota.take("acme", NOW), await quota.take("globex", NOW), await quota.take("acme", nextDay)];

    // Assess
    expect(taken).toEqual([true, false, true, true]);
  });

  it("gives back one to the day it was taken, and never below zero", async () => {
    // Prepare
    const quota = new DynamoSmsQuota(client, tableName, { perDay: 1 });
    await quota.take("giver", NOW);

    // Act
    await quota.giveBack("giver", NOW);
    await quota.giveBack("giver", NOW);
    await quota.giveBack("nobody", NOW);

    // Assess
    expect(await counter("giver", "2026-11-23")).toMatchObject({ used: 0 });
    expect(await counter("nobody", "2026-11-23")).toBeUndefined();
    expect(await quota.take("giver", NOW)).toBe(true);
  });
});
