import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmailContent } from "@herald/contracts";
import { messagesIn, waitUntilSettled } from "@herald/delivery/testing";
import { DynamoMessageStore } from "@herald/messages/dynamo";
import { SqsMessageQueue, startSqsWorker, type Worker } from "@herald/queue/sqs";
import { aMessageRecord, anEnvelope, provision, startMoto, useEmulatorEnv, type Emulator, type Resources } from "@herald/testing";
import { loadConfig } from "../../src/config";
import { buildDeps } from "../../src/deps";
import { handleEmailMessage } from "../../src/domain/handle-message";

const SENDER = "noreply@herald.test";
let moto: Emulator;
let resources: Resources;
let worker: Worker | undefined;

beforeAll(async () => {
  moto = await startMoto();
  useEmulatorEnv(moto.endpoint);
  resources = await provision({ prefix: "email-it", senders: [SENDER] });
});

afterAll(async () => {
  // Stop a worker a failed test left running before its emulator goes away.
  await worker?.stop();
  await moto?.stop();
});

const sesMessages = async () => (await moto.data()).ses?.Message ?? [];

function anEmail(overrides: Partial<EmailContent> = {}): EmailContent {
  return { channel: "email", from: SENDER, to: ["bob@example.com"], subject: "Worker path", text: "Hello from the worker.", ...overrides };
}

describe("the email worker", () => {
  it("sends queued messages, fails an unverified sender's for good, and leaves the queue empty", async () => {
    // Prepare
    const deps = buildDeps(loadConfig({ HERALD_TABLE_NAME: resources.tableName, HERALD_LOG_LEVEL: "SILENT" }));
    const store = new DynamoMessageStore(new DynamoDBClient({}), resources.tableName);
    const queue = new SqsMessageQueue(new SQSClient({}), { email: resources.emailQueueUrl });
    const first = aMessageRecord({ content: anEmail({ subject: "First" }), recipients: ["bob@example.com"] });
    const second = aMessageRecord({ content: anEmail({ subject: "Second" }), recipients: ["bob@example.com"] });
    const unverified = aMessageRecord({ content: anEmail({ from: "x@unverified.test" }), recipients: ["bob@example.com"] });
    for (const record of [first, second, unverified]) {
      await store.create(record);
      await queue.enqueue("email", anEnvelope(record));
    }

    // Act
    worker = startSqsWorker({
      client: new SQSClient({}),
      queueUrl: resources.emailQueueUrl,
      waitTimeSeconds: 1,
      logger: deps.logger,
      handle: (envelope, ctx) => handleEmailMessage(envelope, { receiveCount: ctx.receiveCount }, deps),
    });
    const [sentFirst, sentSecond, failed] = await waitUntilSettled(store, [first.id, second.id, unverified.id]);
    await worker.stop();
    worker = undefined;

    // Assess
    expect(sentFirst).toMatchObject({ status: "sent", attempts: 1 });
    expect(sentSecond).toMatchObject({ status: "sent", attempts: 1 });
    expect(failed).toMatchObject({ status: "failed", failure: { code: "email.sender_not_verified" } });
    const stored = await sesMessages();
    expect(stored.map((m) => [m.id, m.subject]).sort()).toEqual(
      [
        [sentFirst?.provider_message_id, "First"],
        [sentSecond?.provider_message_id, "Second"],
      ].sort(),
    );
    expect(await messagesIn(resources.emailQueueUrl)).toEqual({ visible: 0, inFlight: 0 });
  });
});
