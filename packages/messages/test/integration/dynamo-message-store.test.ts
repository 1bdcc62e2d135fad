import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, QueryCommand, ScanCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { createHmac, randomUUID } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aMessageRecord, oneConnectionToEmulator, provision, startMoto, useEmulatorEnv, type Emulator } from "@herald/testing";
import { DynamoMessageStore } from "../../src/dynamo";
import { INLINE_CONTENT_BYTES } from "../../src/dynamo-message-store";
import { describeMessageStore } from "../message-store-behaviour";

let moto: Emulator;
let tableName: string;
let store: DynamoMessageStore;
/** The same table, every content kept in its own item (as big content is). */
let apart: DynamoMessageStore;

beforeAll(async () => {
  moto = await startMoto();
  useEmulatorEnv(moto.endpoint);
  ({ tableName } = await provision({ prefix: "messages-store-it", senders: [] }));
  // The shared behaviour races claims against each other; DynamoDB decides such races
  // atomically, moto only when its requests come one at a time (see oneConnectionToEmulator).
  store = new DynamoMessageStore(new DynamoDBClient(oneConnectionToEmulator()), tableName);
  apart = new DynamoMessageStore(new DynamoDBClient(oneConnectionToEmulator()), tableName, { inlineContentBytes: 0 });
});

afterAll(async () => {
  await moto?.stop();
});

describeMessageStore("DynamoMessageStore", () => store);
describeMessageStore("DynamoMessageStore, content in its own item", () => apart);

describe("DynamoMessageStore content item", () => {
  const db = () => DynamoDBDocumentClient.from(new DynamoDBClient({}));
  const raw = async (id: string, sk: string) => (await db().send(new GetCommand({ TableName: tableName, Key: { pk: `MSG#${id}`, sk }, ConsistentRead: true }))).Item;
  const bigEmail = () => {
    const to = ["ann@example.com", "ben@example.com", "cat@example.com"];
    return aMessageRecord({
      tenant: "content-it",
      recipients: to,
      content: { channel: "email", from: "noreply@herald.local", to, subject: "Your statement", html: `<p>${"x".repeat(4600)}</p>` },
    });
  };

  it("keeps big content out of the record, so the claim and the sent write touch an item under 1 KB", async () => {
    // Prepare
    const record = bigEmail();

    // Act
    await store.create(record);
    const claim = await store.claim(record.id, new Date(), 60);
    await store.transition(record.id, { to: "sent", at: new Date(), from: ["sending"], provider: "ses", providerMessageId: `0100${"f".repeat(56)}` });

    // Assess
    const item = await raw(record.id, "MSG");
    expect(item).not.toHaveProperty("content");
    expect(item?.content_item).toBe(true);
    expect(Buffer.byteLength(JSON.stringify(item))).toBeLessThan(1024);
    // gzipped: a fraction of the write units the plain JSON would cost
    const contentItem = await raw(record.id, "CONTENT");
    expect(JSON.parse(gunzipSync(contentItem?.content_gz as Uint8Array).toString("utf8"))).toEqual(record.content);
    expect((contentItem?.content_gz as Uint8Array).byteLength).toBeLessThan(JSON.stringify(record.content).length / 3);
    expect(claim.claimed && claim.record.content).toEqual(record.content);
    expect((await store.get(record.id))?.content).toEqual(record.content);
    const listed = await store.listByRecipient({ tenant: "content-it", recipient: "ben@example.com", limit: 10 });
    expect(listed.items.map((r) => r.content)).toEqual([record.content]);
  });

  it("keeps small content in the record: one item, as a second would cost a write and save none", async () => {
    // Prepare
    const record = aMessageRecord({ tenant: "content-it" });
    expect(Buffer.byteLength(JSON.stringify(record))).toBeLessThan(INLINE_CONTENT_BYTES);

    // Act
    await store.create(record);

    // Assess
    expect((await raw(record.id, "MSG"))?.content).toEqual(record.content);
    expect(await raw(record.id, "CONTENT")).toBeUndefined();
  });

  it("reads a record written before content items existed (content in the record, however big)", async () => {
    // Prepare: the old layout, written as an older version did
    const record = bigEmail();
    await db().send(new UpdateCommand({
      TableName: tableName,
      Key: { pk: `MSG#${record.id}`, sk: "MSG" },
      UpdateExpression: `SET ${Object.keys(record).map((k) => `#${k} = :${k}`).join(", ")}`,
      ExpressionAttributeNames: Object.fromEntries(Object.keys(record).map((k) => [`#${k}`, k])),
      ExpressionAttributeValues: Object.fromEntries(Object.entries(record).map(([k, v]) => [`:${k}`, v])),
    }));

    // Act
    const claim = await store.claim(record.id, new Date(), 60);

    // Assess
    expect(claim.claimed && claim.record.content).toEqual(record.content);
    expect((await store.get(record.id))?.content).toEqual(record.content);
  });

  it("removes the content item when the recipient is erased", async () => {
    // Prepare
    const record = bigEmail();
    await store.create(record);

    // Act
    await store.eraseRecipient({ tenant: "content-it", recipient: "ann@example.com", recipientHmac: "0".repeat(64), principal: "dpo", at: new Date() });

    // Assess
    expect(await raw(record.id, "CONTENT")).toBeUndefined();
    expect(await raw(record.id, "MSG")).not.toHaveProperty("content_item");
    expect(await store.get(record.id)).not.toHaveProperty("content");
  });

  it("leaves no sealed content behind when the recipient is erased while the seal is being written", async () => {
    // Prepare: the seal's first read of the record done, the erasure runs before its put
    const { content: _plain, ...record } = aMessageRecord({ tenant: "content-it", store_secure: true, recipients: [`${randomUUID()}@example.com`] });
    await store.create(record);
    const client = new DynamoDBClient(oneConnectionToEmulator());
    let erasing: Promise<unknown> | undefined;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const output = await next(args);
        if (context.commandName === "GetItemCommand" && erasing === undefined) {
          erasing = store.eraseRecipient({ tenant: "content-it", recipient: record.recipients[0] ?? "", recipientHmac: "1".repeat(64), principal: "dpo", at: new Date() });
          await erasing;
        }
        return output;
      },
      { step: "initialize" },
    );
    const sealing = new DynamoMessageStore(client, tableName);

    // Act
    const sealed = await sealing.seal(record.id, { v: 1, alg: "AES-256-GCM", key: "a2V5", key_id: "k", iv: "aXY=", tag: "dGFn", ciphertext: "Y3Q=" }, new Date());

    // Assess
    expect(erasing).toBeDefined();
    expect(sealed).toBe(false);
    expect(await raw(record.id, "CONTENT")).toBeUndefined();
  });
});

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
      // a content item's content is gzipped: looked at as the text it holds
      const readable = (item: Record<string, unknown>) =>
        JSON.stringify({ ...item, ...(item.content_gz instanceof Uint8Array && { content_gz: gunzipSync(item.content_gz).toString("utf8") }) });
      found.push(...(page.Items ?? []).filter((item) => readable(item).includes(needle)));
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
    // two history entries, the first record, and the second's content item (too big to keep in
    // its record; its record names the address only in `recipients`, with the co-recipient)
    expect((await itemsNaming(address)).length).toBe(5);

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
