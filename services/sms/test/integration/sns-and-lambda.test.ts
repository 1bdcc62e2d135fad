import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SNSClient } from "@aws-sdk/client-sns";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { QueueEnvelope } from "@herald/contracts";
import { DynamoMessageStore } from "@herald/messages";
import { createSqsHandler } from "@herald/queue";
import { aMessageRecord, anSqsRecord, provision, startMoto, useEmulatorEnv, type Emulator, type Resources } from "@herald/testing";
import { SnsSmsSender } from "../../src/adapters/sns-sms-sender";
import { loadConfig } from "../../src/config";
import { buildDeps } from "../../src/deps";
import { handleSmsMessage } from "../../src/domain/handle-message";

let moto: Emulator;
let resources: Resources;

beforeAll(async () => {
  moto = await startMoto();
  useEmulatorEnv(moto.endpoint);
  resources = await provision({ prefix: "sms-it", senders: [] });
});

afterAll(async () => {
  await moto.stop();
});

const published = async () => (await moto.data()).sns?.SMS ?? [];

describe("SnsSmsSender against the emulator", () => {
  it("publishes the text to the number", async () => {
    const { providerMessageId } = await new SnsSmsSender(new SNSClient({})).send({ channel: "sms", to: "+447911123456", text: "Hello there" });
    expect((await published()).filter((m) => m.message_id === providerMessageId)).toEqual([
      { message: "Hello there", message_id: providerMessageId, phone_number: "+447911123456" },
    ]);
  });
});

describe("the sms Lambda handler against the emulator", () => {
  it("sends the SMS, records sent with the SNS id, and reports only the poison record", async () => {
    // Prepare
    const deps = buildDeps(loadConfig({ HERALD_TABLE_NAME: resources.tableName, HERALD_LOG_LEVEL: "SILENT" }));
    const handler = createSqsHandler((envelope, ctx) => handleSmsMessage(envelope, { receiveCount: ctx.receiveCount }, deps), deps.logger);
    const store = new DynamoMessageStore(new DynamoDBClient({}), resources.tableName);
    const record = aMessageRecord({ channel: "sms", recipients: ["+14155552671"], content: { channel: "sms", to: "+14155552671", text: "Lambda SMS" } });
    await store.create(record);
    const envelope: QueueEnvelope = { v: 1, id: record.id, tenant: record.tenant, principal: record.principal, channel: "sms" };
    const poison = anSqsRecord({ v: 2, id: "x" });

    // Act
    const result = await handler({ Records: [anSqsRecord(envelope), poison] });

    // Assess
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: poison.messageId }]);
    const sent = await store.get(record.id);
    expect(sent?.status).toBe("sent");
    expect((await published()).find((m) => m.message_id === sent?.provider_message_id)).toMatchObject({ phone_number: "+14155552671", message: "Lambda SMS" });
  });
});
