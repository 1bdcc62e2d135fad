import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, QueryCommand, ScanCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { createHmac, randomUUID } from "node:crypto";
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

describe("DynamoMessageStore erasure", () => {
  const db = () => DynamoDBDocumentClient.from(new DynamoDBClient({}));
  /** Every item of the table whose attributes or keys mention `needle`. */
  async function itemsNaming(needle: string): Promise<Record<string, unknown>[]> {
    const found: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await db().send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey }));
      found.push(...(page.Items ?? []).filter((item) => JSON.stringify(item).includes(needle)));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return found;
  }
  const hmac = (recipient: string) => createHmac("sha256", "integration-test-key-of-32-characters").update(recipient).digest("hex");

  it("writes the audit entry under the recipient's HMAC: who, when and how many, and no address", async () => {
    // Prepare
    const record = aMessageRecord({ tenant: "audit-it", recipients: ["erin@example.com"] });
    await store.create(record);

    // Act
    await store.eraseRecipient({
      tenant: "audit-it",
      recipient: "erin@example.com",
      recipientHmac: hmac("erin@example.com"),
      principal: "dpo",
      at: new Date("2030-02-01T00:00:00Z"),
    });

    // Assess
    const { Items } = await db().send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": `AUDIT#audit-it#${hmac("erin@example.com")}` },
      }),
    );
    expect(Items).toHaveLength(1);
    expect(Items?.[0]).toEqual({
      pk: `AUDIT#audit-it#${hmac("erin@example.com")}`,
      sk: expect.stringMatching(/^2030-02-01T00:00:00\.000Z#[0-9a-f-]{36}$/),
      action: "erase_recipient",
      principal: "dpo",
      recipient_hmac: hmac("erin@example.com"),
      messages: 1,
      at: "2030-02-01T00:00:00.000Z",
    });
    expect(await itemsNaming("erin@example.com")).toEqual([]);
  });

  it("leaves no item that names the erased address: no history entry, no record field", async () => {
    // Prepare
    const address = `${randomUUID()}@example.com`;
    const records = [
      aMessageRecord({ tenant: "erase-it", recipients: [address], metadata: { ref: address } }),
      aMessageRecord({
        tenant: "erase-it",
        recipients: [address, "frank@example.com"],
        content: { channel: "email", from: "noreply@herald.local", to: [address], cc: ["frank@example.com"], subject: "Hi", text: "Hi" },
        provider_reply: `250 2.0.0 Ok: queued for ${address}`,
      }),
    ];
    for (const record of records) await store.create(record);
    expect((await itemsNaming(address)).length).toBe(4);

    // Act
    const result = await store.eraseRecipient({ tenant: "erase-it", recipient: address, recipientHmac: hmac(address), principal: "dpo", at: new Date() });

    // Assess
    expect(result.erased).toBe(2);
    expect(await itemsNaming(address)).toEqual([]);
    // the co-recipient, who was not erased, still lists the (erased) message
    const frank = await store.listByRecipient({ tenant: "erase-it", recipient: "frank@example.com", limit: 10 });
    expect(frank.items.map((r) => [r.id, r.recipients, r.erased_at !== undefined])).toEqual([[records[1]?.id, ["frank@example.com"], true]]);
  });

  it("does not list a record an unfinished erasure scrubbed, and the next erasure removes its entry", async () => {
    // Prepare: the record scrubbed, its history entry not yet deleted (the erasure stopped there)
    const address = `${randomUUID()}@example.com`;
    const record = aMessageRecord({ tenant: "erase-it", recipients: [address] });
    await store.create(record);
    await db().send(
      new UpdateCommand({
        TableName: tableName,
        Key: { pk: `MSG#${record.id}`, sk: "MSG" },
        UpdateExpression: "SET erased_at = :at REMOVE content, recipients[0]",
        ExpressionAttributeValues: { ":at": new Date().toISOString() },
      }),
    );

    // Act
    const listed = await store.listByRecipient({ tenant: "erase-it", recipient: address, limit: 10 });
    const result = await store.eraseRecipient({ tenant: "erase-it", recipient: address, recipientHmac: hmac(address), principal: "dpo", at: new Date() });

    // Assess
    expect(listed.items).toEqual([]);
    expect(result.erased).toBe(1);
    expect(await itemsNaming(address)).toEqual([]);
  });
});
