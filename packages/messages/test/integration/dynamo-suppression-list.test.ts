import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { provision, startMoto, useEmulatorEnv, type Emulator } from "@herald/testing";
import { DynamoSuppressionList } from "../../src/dynamo";
import { InvalidCursorError } from "../../src/index";

let moto: Emulator;
let list: DynamoSuppressionList;

beforeAll(async () => {
  moto = await startMoto();
  useEmulatorEnv(moto.endpoint);
  const { tableName } = await provision({ prefix: "suppressions-it", senders: [] });
  list = new DynamoSuppressionList(new DynamoDBClient({}), tableName);
});

afterAll(async () => {
  await moto?.stop();
});

const entry = (address: string) => ({ address, reason: "bounce" as const, created_at: "2026-12-01T10:00:00.000Z", message_id: randomUUID() });

describe("DynamoSuppressionList", () => {
  it("adds once (the first cause stays), finds, gets and removes per tenant", async () => {
    const tenant = `t-${randomUUID()}`;
    const first = entry("a@example.com");
    expect(await list.add(tenant, first)).toBe(true);
    expect(await list.add(tenant, { ...entry("a@example.com"), reason: "complaint" })).toBe(false);
    expect(await list.get(tenant, "a@example.com")).toEqual(first);
    expect(await list.find(tenant, ["a@example.com", "b@example.com"])).toEqual(new Set(["a@example.com"]));
    expect(await list.find(`other-${tenant}`, ["a@example.com"])).toEqual(new Set());
    expect(await list.remove(tenant, "a@example.com")).toBe(true);
    expect(await list.remove(tenant, "a@example.com")).toBe(false);
    expect(await list.get(tenant, "a@example.com")).toBeUndefined();
  });

  it("lists in address order, page by page, with a cursor, and refuses a forged cursor", async () => {
    const tenant = `t-${randomUUID()}`;
    for (const a of ["c@x.com", "a@x.com", "b@x.com", "+447911123456"]) await list.add(tenant, entry(a));
    const first = await list.list(tenant, { limit: 3 });
    expect(first.items.map((i) => i.address)).toEqual(["+447911123456", "a@x.com", "b@x.com"]);
    const second = await list.list(tenant, { limit: 3, cursor: first.nextCursor ?? "" });
    expect(second).toEqual({ items: [expect.objectContaining({ address: "c@x.com" })], nextCursor: null });
    await expect(list.list(tenant, { limit: 3, cursor: "bm9wZQ" })).rejects.toThrow(InvalidCursorError);
  });
});
