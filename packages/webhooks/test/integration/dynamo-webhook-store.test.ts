import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { oneConnectionToEmulator, provision, startMoto, useEmulatorEnv, type Emulator } from "@herald/testing";
import { DynamoWebhookStore } from "../../src/dynamo-webhook-store";
import { aDeliveryStart, anEndpoint, describeWebhookStore } from "../webhook-store-behaviour";

let moto: Emulator;
let tableName: string;
let store: DynamoWebhookStore;
let db: DynamoDBDocumentClient;

beforeAll(async () => {
  moto = await startMoto();
  useEmulatorEnv(moto.endpoint);
  ({ tableName } = await provision({ prefix: "webhooks-store-it", senders: [] }));
  // The behaviour races failures against each other; moto decides such races atomically only
  // when its requests come one at a time (see oneConnectionToEmulator).
  store = new DynamoWebhookStore(new DynamoDBClient(oneConnectionToEmulator()), tableName);
  db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
});

afterAll(async () => {
  await moto?.stop();
});

describeWebhookStore("DynamoWebhookStore", () => store);

describe("DynamoWebhookStore items", () => {
  it("stores an endpoint as its attributes under WH#<tenant> | <id>", async () => {
    // Prepare
    const endpoint = anEndpoint(`t-${randomUUID()}`);

    // Act
    await store.create(endpoint);

    // Assess
    const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: { pk: `WH#${endpoint.tenant}`, sk: endpoint.id } }));
    expect(Item).toEqual({ pk: `WH#${endpoint.tenant}`, sk: endpoint.id, ...endpoint });
  });

  it("gives a delivery a TTL 30 days after it began, and never shows it", async () => {
    // Prepare
    const start = aDeliveryStart(`t-${randomUUID()}`, "wh_000000000000000000000001", 10);

    // Act
    await store.startDelivery(start);

    // Assess
    const { Item } = await db.send(
      new GetCommand({ TableName: tableName, Key: { pk: `WHD#${start.tenant}#${start.webhook_id}`, sk: start.id } }),
    );
    expect(Item?.expires_at).toBe(Math.floor(Date.parse(start.created_at) / 1000) + 30 * 24 * 3600);
    const read = await store.getDelivery(start.tenant, start.webhook_id, start.id);
    expect(read).not.toHaveProperty("expires_at");
    expect((await store.listDeliveries(start.tenant, start.webhook_id, { limit: 5 })).items[0]).not.toHaveProperty("expires_at");
  });

  it("throws on a corrupt item instead of returning it", async () => {
    // Prepare
    const endpoint = anEndpoint(`t-${randomUUID()}`);
    await store.create(endpoint);
    await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { pk: `WH#${endpoint.tenant}`, sk: endpoint.id },
        UpdateExpression: "SET secrets = :junk",
        ExpressionAttributeValues: { ":junk": "not a list" },
      }),
    );

    // Act / Assess
    await expect(store.get(endpoint.tenant, endpoint.id)).rejects.toThrow();
    await expect(store.listEnabled(endpoint.tenant)).rejects.toThrow();
  });

  it("keeps both racing rotations' secrets, the earlier one as the previous secret", async () => {
    // Prepare
    const endpoint = anEndpoint(`t-${randomUUID()}`);
    await store.create(endpoint);
    const secret = (marker: string) => ({ ...endpoint.secrets[0]!, sealed: { ...endpoint.secrets[0]!.sealed, ciphertext: marker }, created_at: "2030-01-01T00:01:00.000Z" });
    const expires = new Date("2030-01-02T00:01:00.000Z");
    const now = new Date("2030-01-01T00:01:00.000Z");

    // Act
    await Promise.all([store.rotateSecret(endpoint.tenant, endpoint.id, secret("YQ=="), expires, now), store.rotateSecret(endpoint.tenant, endpoint.id, secret("Yg=="), expires, now)]);

    // Assess
    const stored = await store.get(endpoint.tenant, endpoint.id);
    expect(stored?.secrets).toHaveLength(2);
    expect(stored?.secrets[1]?.expires_at).toBe(expires.toISOString());
    // The later rotation saw the earlier one: the secret it rotated out is the earlier one's, not the first.
    const [current, previous] = stored?.secrets ?? [];
    expect(current?.expires_at).toBeUndefined();
    expect(new Set([current?.sealed.ciphertext, previous?.sealed.ciphertext])).toEqual(new Set(["YQ==", "Yg=="]));
  });
});
