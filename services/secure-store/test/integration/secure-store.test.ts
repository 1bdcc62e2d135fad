import { DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { QueueEnvelope } from "@herald/contracts";
import { EnvelopeCipher, openContent } from "@herald/crypto";
import { KmsDataKeyProvider } from "@herald/crypto/kms";
import { KMSClient } from "@aws-sdk/client-kms";
import { DynamoMessageStore } from "@herald/messages/dynamo";
import { createSqsHandler } from "@herald/queue/sqs";
import {
  aMessageRecord,
  anEnvelope,
  anSqsRecord,
  provision,
  startAwsProxy,
  startMoto,
  useEmulatorEnv,
  type AwsProxy,
  type Emulator,
  type Resources,
} from "@herald/testing";
import { loadConfig } from "../../src/config";
import { aConsumerHandler } from "@herald/delivery/testing";
import { buildDeps, secureStoreConsumer } from "../../src/deps";
import { handleSecureStore } from "../../src/domain/handle-message";

let moto: Emulator;
let proxy: AwsProxy;
let resources: Resources;

beforeAll(async () => {
  moto = await startMoto();
  // Every AWS call goes through a counting proxy, so KMS calls can be counted.
  proxy = await startAwsProxy({ target: moto.endpoint });
  useEmulatorEnv(proxy.endpoint);
  resources = await provision({ prefix: "secure-it", senders: [] });
});

afterAll(async () => {
  await proxy.stop();
  await moto.stop();
});

const SECRET = "Your one-time code is 918273";

describe("secure-store consumer against KMS and DynamoDB", () => {
  it("seals 100 messages with at most 5 KMS calls, leaves no plaintext in the table, and opens again", async () => {
    // Prepare
    const deps = buildDeps(loadConfig({ HERALD_TABLE_NAME: resources.tableName, HERALD_KMS_KEY_ID: resources.kmsKeyId, HERALD_LOG_LEVEL: "SILENT" }));
    const handler = createSqsHandler((envelope) => handleSecureStore(envelope, deps), deps.logger);
    const store = new DynamoMessageStore(new DynamoDBClient({}), resources.tableName);
    const envelopes: QueueEnvelope[] = [];
    for (let i = 0; i < 100; i++) {
      const { content: _plain, ...record } = aMessageRecord({ store_secure: true, recipients: [`user${i}@example.com`] });
      await store.create(record);
      envelopes.push({
        ...anEnvelope(record),
        content: { channel: "email", from: "noreply@herald.local", to: [`user${i}@example.com`], subject: "Sign-in code", text: `${SECRET} (${i})` },
      });
    }
    proxy.counts.clear();

    // Act: ten batches of ten, as the event source mapping would deliver them
    for (let i = 0; i < 100; i += 10) {
      const result = await handler({ Records: envelopes.slice(i, i + 10).map((e) => anSqsRecord(e)) });
      expect(result.batchItemFailures).toEqual([]);
    }

    // Assess
    const kmsCalls = [...proxy.counts].filter(([op]) => op.startsWith("KMS.")).reduce((n, [, c]) => n + c, 0);
    expect(kmsCalls).toBeLessThanOrEqual(5);
    expect(proxy.counts.get("KMS.GenerateDataKey")).toBe(1);
    const raw = await new DynamoDBClient({}).send(new ScanCommand({ TableName: resources.tableName }));
    const dump = JSON.stringify(raw.Items);
    expect(dump).not.toContain("918273");
    expect(dump).not.toContain("Sign-in code");
    expect(dump.match(/AES-256-GCM/g)?.length).toBe(100);

    const reader = new EnvelopeCipher(new KmsDataKeyProvider(new KMSClient({})));
    const first = envelopes[0];
    const record = first && (await store.get(first.id));
    if (!record?.sealed || !first) throw new Error("not sealed");
    expect(await openContent(reader, record, record.sealed)).toEqual(first.content);
  });

  it("fails to open a sealed record under another tenant's KMS context", async () => {
    // Prepare
    const deps = buildDeps(loadConfig({ HERALD_TABLE_NAME: resources.tableName, HERALD_KMS_KEY_ID: resources.kmsKeyId, HERALD_LOG_LEVEL: "SILENT" }));
    const store = new DynamoMessageStore(new DynamoDBClient({}), resources.tableName);
    const { content: _plain, ...record } = aMessageRecord({ store_secure: true });
    await store.create(record);
    await handleSecureStore({ ...anEnvelope(record), content: { channel: "sms", to: "+447911123456", text: SECRET } }, deps);
    const sealed = (await store.get(record.id))?.sealed;
    if (!sealed) throw new Error("not sealed");

    // Act
    const reader = new EnvelopeCipher(new KmsDataKeyProvider(new KMSClient({})));
    const attempt = openContent(reader, { ...record, tenant: "globex" }, sealed);

    // Assess
    await expect(attempt).rejects.toMatchObject({ code: "crypto.decrypt_failed" });
  });

  it("calls KMS once for a data key that fails with a 5xx, and leaves the retry to SQS", async () => {
    // Prepare: the consumer as src/entrypoints/lambda.ts composes it, behind a proxy whose next
    // GenerateDataKey is answered with a 500
    let failNext = true;
    const faulty = await startAwsProxy({
      target: moto.endpoint,
      fault: (op) => {
        if (op !== "KMS.GenerateDataKey" || !failNext) return undefined;
        failNext = false;
        return { status: 500, headers: { "x-amzn-errortype": "KMSInternalException" }, body: JSON.stringify({ __type: "KMSInternalException", message: "injected" }) };
      },
    });
    useEmulatorEnv(faulty.endpoint);
    try {
      const { handle } = aConsumerHandler(
        secureStoreConsumer,
        { HERALD_TABLE_NAME: resources.tableName, HERALD_KMS_KEY_ID: resources.kmsKeyId, HERALD_LOG_LEVEL: "SILENT" },
        async () => undefined,
      );
      const store = new DynamoMessageStore(new DynamoDBClient({}), resources.tableName);
      const { content: _plain, ...record } = aMessageRecord({ store_secure: true });
      await store.create(record);
      const envelope: QueueEnvelope = { ...anEnvelope(record), content: { channel: "sms", to: "+447911123456", text: SECRET } };

      // Act
      const result = await handle({ Records: [anSqsRecord(envelope)] });

      // Assess
      expect(faulty.counts.get("KMS.GenerateDataKey")).toBe(1);
      expect(result.batchItemFailures).toHaveLength(1);
      expect((await store.get(record.id))?.sealed).toBeUndefined();
    } finally {
      useEmulatorEnv(proxy.endpoint);
      await faulty.stop();
    }
  });
});
