import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aMessageRecord, oneConnectionToEmulator, provision, startMoto, useEmulatorEnv, type Emulator } from "@herald/testing";
import { DynamoMessageStore } from "../../src/dynamo";
import { describeMessageStore } from "../message-store-behaviour";

let moto: Emulator;
let tableName: string;
let store: DynamoMessageStore;

beforeAll(async () => {
  moto = await startMoto();
  useEmulatorEnv(moto.endpoint);
  ({ tableName } = await provision({ prefix: "messages-store-it", senders: [] }));
  // The shared behaviour races claims against each other; DynamoDB decides such races
  // atomically, moto only when its requests come one at a time (see oneConnectionToEmulator).
  store = new DynamoMessageStore(new DynamoDBClient(oneConnectionToEmulator()), tableName);
});

afterAll(async () => {
  await moto?.stop();
});

describeMessageStore("DynamoMessageStore", () => store);

describe("DynamoMessageStore items", () => {
  it("writes one tenant-scoped history entry per recipient, keyed by creation time and id", async () => {
    // Prepare
    const record = aMessageRecord({ tenant: "items-it", recipients: ["alice@example.com", "bob@example.com"] });
    const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));

    // Act
    await store.create(record);

    // Assess
    for (const recipient of record.recipients) {
      const { Items } = await db.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: "pk = :pk",
          ExpressionAttributeValues: { ":pk": `RCPT#items-it#${recipient}` },
        }),
      );
      expect(Items).toEqual([
        {
          pk: `RCPT#items-it#${recipient}`,
          sk: `${record.created_at}#${record.id}`,
          id: record.id,
          principal: record.principal,
          channel: "email",
        },
      ]);
    }
  });

  it("keeps the claim's lease out of the record it returns", async () => {
    // Prepare
    const record = aMessageRecord({ tenant: "items-it" });
    await store.create(record);

    // Act
    const result = await store.claim(record.id, new Date(), 60);

    // Assess
    expect(result.claimed).toBe(true);
    expect(result.record).not.toHaveProperty("claim_expires_at");
    expect(await store.get(record.id)).not.toHaveProperty("claim_expires_at");
  });
});

describe("DynamoMessageStore erasure audit", () => {
  it("writes an audit item with who, when and how many, and the recipient only as a hash", async () => {
    // Prepare
    const record = aMessageRecord({ tenant: "audit-it", recipients: ["erin@example.com"] });
    await store.create(record);
    const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));

    // Act
    await store.eraseRecipient({ tenant: "audit-it", recipient: "erin@example.com", principal: "dpo", at: new Date("2030-02-01T00:00:00Z") });

    // Assess
    const { Items } = await db.send(
      new QueryCommand({ TableName: tableName, KeyConditionExpression: "pk = :pk", ExpressionAttributeValues: { ":pk": "AUDIT#audit-it" } }),
    );
    expect(Items).toHaveLength(1);
    expect(Items?.[0]).toMatchObject({ action: "erase_recipient", principal: "dpo", messages: 1, at: "2030-02-01T00:00:00.000Z" });
    expect(JSON.stringify(Items)).not.toContain("erin@example.com");
    expect(Items?.[0]?.recipient_sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});
