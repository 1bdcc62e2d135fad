import { GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aMessageRecord, anEnvelope, provision, startAwsProxy, startMoto, useEmulatorEnv, type AwsProxy, type Emulator, type Resources } from "@herald/testing";
import { SqsMessageQueue } from "../../src/sqs";

let moto: Emulator;
let proxy: AwsProxy;
let resources: Resources;

beforeAll(async () => {
  moto = await startMoto();
  proxy = await startAwsProxy({ target: moto.endpoint });
  useEmulatorEnv(proxy.endpoint);
  resources = await provision({ prefix: "publisher-it", senders: [] });
});

afterAll(async () => {
  await proxy.stop();
  await moto.stop();
});

describe("SqsMessageQueue.enqueueBatch", () => {
  it("sends 25 envelopes in 3 SendMessageBatch calls and reports each queued", async () => {
    // Prepare
    const sqs = new SQSClient({});
    const queue = new SqsMessageQueue(sqs, { sms: resources.smsQueueUrl });
    const entries = Array.from({ length: 25 }, () => ({ envelope: { ...anEnvelope(aMessageRecord()), channel: "sms" as const } }));
    proxy.counts.clear();

    // Act
    const queued = await queue.enqueueBatch("sms", entries);

    // Assess
    expect(queued).toEqual(entries.map(() => true));
    expect(proxy.counts.get("SQS.SendMessageBatch")).toBe(3);
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: resources.smsQueueUrl, AttributeNames: ["ApproximateNumberOfMessages"] }));
    expect(Attributes?.ApproximateNumberOfMessages).toBe("25");
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: resources.smsQueueUrl, MaxNumberOfMessages: 1 }));
    expect(entries.map((e) => e.envelope.id)).toContain(JSON.parse(Messages[0]?.Body ?? "{}").id);
  });

  it("reports every entry unqueued when the call itself fails", async () => {
    const queue = new SqsMessageQueue(new SQSClient({}), { email: resources.emailQueueUrl.replace(/[^/]+$/, "missing-queue") });
    const queued = await queue.enqueueBatch("email", [{ envelope: anEnvelope(aMessageRecord()) }, { envelope: anEnvelope(aMessageRecord()) }]);
    expect(queued).toEqual([false, false]);
  });
});
