import { randomUUID } from "node:crypto";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { QueueEnvelope } from "@herald/contracts";
import { createLogger } from "@herald/platform";
import { aMessageRecord, anEnvelope, startMoto, useEmulatorEnv, type Emulator } from "@herald/testing";
import type { RecordContext } from "../../src/index";
import { SqsMessageQueue, startSqsWorker, type Worker } from "../../src/sqs";

const logger = createLogger("test", "SILENT");

let moto: Emulator;
let sqs: SQSClient;

beforeAll(async () => {
  moto = await startMoto();
  useEmulatorEnv(moto.endpoint);
  sqs = new SQSClient({});
});

afterAll(async () => {
  await moto?.stop();
});

/** A fresh queue per test, with a short visibility timeout so a failed message returns quickly. */
async function aQueue(visibilityTimeoutSeconds = 1): Promise<string> {
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({
      QueueName: `worker-it-${randomUUID()}`,
      Attributes: { VisibilityTimeout: String(visibilityTimeoutSeconds) },
    }),
  );
  if (!QueueUrl) throw new Error("CreateQueue returned no URL");
  return QueueUrl;
}

async function messagesIn(queueUrl: string): Promise<{ visible: number; inFlight: number; delayed: number }> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"],
    }),
  );
  return {
    visible: Number(Attributes.ApproximateNumberOfMessages),
    inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible),
    delayed: Number(Attributes.ApproximateNumberOfMessagesDelayed),
  };
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("SqsMessageQueue", () => {
  it("puts the envelope on the channel's queue as JSON and returns the SQS message id", async () => {
    // Prepare
    const queueUrl = await aQueue();
    const queue = new SqsMessageQueue(sqs, { email: queueUrl });
    const envelope = anEnvelope(aMessageRecord());

    // Act
    const messageId = await queue.enqueue("email", envelope);

    // Assess
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1 }));
    expect(Messages.map((m) => [m.MessageId, JSON.parse(m.Body ?? "null")])).toEqual([[messageId, envelope]]);
  });

  it("holds a message back for its delay", async () => {
    // Prepare
    const queueUrl = await aQueue();
    const queue = new SqsMessageQueue(sqs, { email: queueUrl });
    const envelope = anEnvelope(aMessageRecord());
    const sentAt = Date.now();

    // Act
    await queue.enqueue("email", envelope, { delaySeconds: 1 });

    // Assess
    const immediate = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 0 }));
    expect(immediate.Messages ?? []).toEqual([]);
    expect((await messagesIn(queueUrl)).delayed).toBe(1);
    const later = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 5 }));
    expect((later.Messages ?? []).map((m) => JSON.parse(m.Body ?? "null"))).toEqual([envelope]);
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(900);
  });
});

describe("startSqsWorker", () => {
  let worker: Worker | undefined;

  afterAll(async () => {
    await worker?.stop();
  });

  it("deletes what succeeded and receives a failed message again with receive count 2", async () => {
    // Prepare
    const queueUrl = await aQueue(1);
    const queue = new SqsMessageQueue(sqs, { email: queueUrl });
    const envelopes = [anEnvelope(aMessageRecord()), anEnvelope(aMessageRecord()), anEnvelope(aMessageRecord())];
    const failing = envelopes[1];
    if (!failing) throw new Error("fixture");
    const sqsIds = new Map<string, string>();
    for (const envelope of envelopes) sqsIds.set(envelope.id, await queue.enqueue("email", envelope));
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "{not json" }));
    const calls: { envelope: QueueEnvelope; context: RecordContext }[] = [];

    // Act
    worker = startSqsWorker({
      client: sqs,
      queueUrl,
      logger,
      waitTimeSeconds: 1,
      backoff: { baseSeconds: 1, maxSeconds: 1 },
      handle: async (envelope, context) => {
        calls.push({ envelope, context });
        if (envelope.id === failing.id) throw new Error("provider down");
      },
    });
    await waitFor(() => calls.some((c) => c.envelope.id === failing.id && c.context.receiveCount === 2), 10_000, "a redelivery");
    await worker.stop();
    worker = undefined;

    // Assess
    const failedCalls = calls.filter((c) => c.envelope.id === failing.id);
    expect(failedCalls.map((c) => c.context)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ receiveCount: 1, sqsMessageId: sqsIds.get(failing.id) }),
        expect.objectContaining({ receiveCount: 2, sqsMessageId: sqsIds.get(failing.id) }),
      ]),
    );
    for (const envelope of envelopes.filter((e) => e !== failing)) {
      expect(calls.filter((c) => c.envelope.id === envelope.id).map((c) => c.context)).toEqual([
        expect.objectContaining({ receiveCount: 1, sqsMessageId: sqsIds.get(envelope.id) }),
      ]);
    }
    // Only the failed envelope and the poison body remain: the two successes were deleted.
    const left = await messagesIn(queueUrl);
    expect(left.visible + left.inFlight).toBe(2);
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 2, VisibilityTimeout: 30 }),
    );
    expect(Messages.map((m) => m.Body).sort()).toEqual([JSON.stringify(failing), "{not json"].sort());
  });

  it("stops promptly while a long poll is waiting", async () => {
    // Prepare
    const queueUrl = await aQueue();
    const handled: string[] = [];
    const running = startSqsWorker({
      client: sqs,
      queueUrl,
      logger,
      waitTimeSeconds: 20,
      handle: async (envelope) => {
        handled.push(envelope.id);
      },
    });
    await new Promise((r) => setTimeout(r, 300));

    // Act
    const started = Date.now();
    await running.stop();
    const took = Date.now() - started;

    // Assess
    expect(took).toBeLessThan(2000);
    await expect(running.done).resolves.toBeUndefined();
    expect(handled).toEqual([]);
  });

  it("on stop, finishes the send in hand and hands the unstarted messages straight back", async () => {
    // Prepare: ten messages, a slow handler, and a visibility timeout long enough to notice
    const queueUrl = await aQueue(60);
    const queue = new SqsMessageQueue(sqs, { email: queueUrl });
    for (let i = 0; i < 10; i++) await queue.enqueue("email", anEnvelope(aMessageRecord()));
    const handled: string[] = [];
    let stopping: Promise<void> | undefined;
    const running = startSqsWorker({
      client: sqs,
      queueUrl,
      logger,
      waitTimeSeconds: 1,
      handle: async (envelope) => {
        // The first send is under way when SIGTERM arrives.
        if (handled.length === 0) stopping = running.stop();
        await new Promise((r) => setTimeout(r, 200));
        handled.push(envelope.id);
      },
    });

    // Act
    await waitFor(() => stopping !== undefined, 10_000, "the first send");
    await stopping;

    // Assess: the one in hand finished; the others are visible again at once, not in 60 s
    expect(handled).toHaveLength(1);
    const left = await messagesIn(queueUrl);
    expect(left.inFlight).toBe(0);
    expect(left.visible).toBe(9);
  });

  it("starts no record once less than one record's budget is left of its batch timeout, and receives the rest again", async () => {
    // Prepare: a 1 s batch, a record's budget 0.8 s, each record takes 0.3 s: one record per batch
    const queueUrl = await aQueue(60);
    const queue = new SqsMessageQueue(sqs, { email: queueUrl });
    const envelopes = [anEnvelope(aMessageRecord()), anEnvelope(aMessageRecord()), anEnvelope(aMessageRecord())];
    for (const envelope of envelopes) await queue.enqueue("email", envelope);
    const calls: { id: string; receiveCount: number }[] = [];
    worker = startSqsWorker({
      client: sqs,
      queueUrl,
      logger,
      waitTimeSeconds: 1,
      backoff: { baseSeconds: 1, maxSeconds: 1 },
      timeBudget: { batchTimeoutMs: 1_000, recordMs: 800 },
      handle: async (envelope, context) => {
        calls.push({ id: envelope.id, receiveCount: context.receiveCount });
        await new Promise((r) => setTimeout(r, 300));
      },
    });

    // Act
    await waitFor(() => calls.length === 3, 20_000, "every record to be handled");
    await worker.stop();
    worker = undefined;

    // Assess: each handled once, the later ones on a later receive (handed back, not lost, not
    // left to the 60 s visibility timeout), and the queue empty
    expect(calls.map((c) => c.id).sort()).toEqual(envelopes.map((e) => e.id).sort());
    expect(Math.max(...calls.map((c) => c.receiveCount))).toBeGreaterThan(1);
    expect(await messagesIn(queueUrl)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });
});
