import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MessageRecord, QueueEnvelope } from "@herald/contracts";
import { DynamoMessageStore } from "@herald/messages/dynamo";
import { aMessageRecord, anEnvelope, provision, startMoto, useEmulatorEnv, type Emulator, type Resources } from "@herald/testing";

let moto: Emulator;
let resources: Resources;

beforeAll(async () => {
  moto = await startMoto();
  useEmulatorEnv(moto.endpoint);
  resources = await provision({ prefix: "dead-letters-it", senders: [] });
});

afterAll(async () => {
  await moto?.stop();
});

/** The scheduled function as it is deployed: src/entrypoints/lambda.ts, configured from its environment. */
async function theLambda() {
  Object.assign(process.env, {
    HERALD_TABLE_NAME: resources.tableName,
    HERALD_EMAIL_DLQ_URL: resources.emailDlqUrl,
    HERALD_SMS_DLQ_URL: resources.smsDlqUrl,
    HERALD_LOG_LEVEL: "SILENT",
  });
  const { handler } = await import("../../src/entrypoints/lambda");
  return (remainingMs = 60_000) => handler({}, { getRemainingTimeInMillis: () => remainingMs });
}

async function inDlq(url: string, envelope: QueueEnvelope) {
  await new SQSClient({}).send(new SendMessageCommand({ QueueUrl: url, MessageBody: JSON.stringify(envelope) }));
}

describe("the dead-letter sweeper against SQS and DynamoDB", () => {
  it("marks a dead letter whose record is queued dead_lettered, leaves a sent one, and leaves both in the dead-letter queue", async () => {
    // Prepare: one never-attempted email and one sent SMS in their dead-letter queues
    const store = new DynamoMessageStore(new DynamoDBClient({}), resources.tableName);
    const queued = aMessageRecord();
    const sent: MessageRecord = aMessageRecord({ channel: "sms", status: "sent", attempts: 1, provider_message_id: "p-1", content: { channel: "sms", to: "+14155552671", text: "hi" }, recipients: ["+14155552671"] });
    await store.create(queued);
    await store.create(sent);
    await inDlq(resources.emailDlqUrl, anEnvelope(queued));
    await inDlq(resources.smsDlqUrl, { ...anEnvelope(sent), channel: "sms" });
    const sweep = await theLambda();

    // Act
    const result = await sweep();

    // Assess
    expect(result).toEqual({ email: { read: 1, marked: 1, poison: 0 }, sms: { read: 1, marked: 0, poison: 0 } });
    expect(await store.get(queued.id)).toMatchObject({ status: "dead_lettered", attempts: 0, failure: { code: "queue.dead_lettered" } });
    expect((await store.get(queued.id))?.history.map((h) => h.status)).toEqual(["queued", "dead_lettered"]);
    expect(await store.get(sent.id)).toEqual(sent);
    // still there, and visible again at once for `npm run dlq -- redrive`
    const sqs = new SQSClient({});
    for (const [url, id] of [
      [resources.emailDlqUrl, queued.id],
      [resources.smsDlqUrl, sent.id],
    ] as const) {
      const { Attributes = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["ApproximateNumberOfMessages"] }));
      expect(Attributes.ApproximateNumberOfMessages).toBe("1");
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }));
      expect(Messages.map((m) => (JSON.parse(m.Body ?? "{}") as QueueEnvelope).id)).toEqual([id]);
    }
  });

  it("reads nothing when the invocation has too little time left", async () => {
    // Prepare
    const store = new DynamoMessageStore(new DynamoDBClient({}), resources.tableName);
    const queued = aMessageRecord();
    await store.create(queued);
    await inDlq(resources.emailDlqUrl, anEnvelope(queued));
    const sweep = await theLambda();

    // Act
    const result = await sweep(5_000);

    // Assess
    expect(result).toEqual({});
    expect((await store.get(queued.id))?.status).toBe("queued");
  });
});
