import { DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBStreamsClient } from "@aws-sdk/client-dynamodb-streams";
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebhookJob } from "@herald/contracts";
import { DynamoMessageStore, recordFromItem } from "@herald/messages/dynamo";
import { createLogger } from "@herald/platform";
import { aMessageRecord, provision, startMoto, useEmulatorEnv, type Emulator } from "@herald/testing";
import { MemoryWebhookStore } from "@herald/webhooks/memory";
import { SqsJobQueue } from "../../src/adapters/sqs-job-queue";
import { startStreamPoller, type StreamPoller } from "../../src/adapters/stream-poller";
import { toStreamChange } from "../../src/adapters/stream-records";
import { fanOut, type JobQueue } from "../../src/domain/fan-out";

let moto: Emulator;
let store: DynamoMessageStore;
let poller: StreamPoller;
let queueUrl: string;
const sqs = () => new SQSClient({});
const endpoints = new MemoryWebhookStore();
/** The first `failFirst` sends are refused: the poller must read those records again. */
let failFirst = 0;

beforeAll(async () => {
  moto = await startMoto();
  useEmulatorEnv(moto.endpoint);
  const resources = await provision({ prefix: "fanout-it", senders: [] });
  queueUrl = resources.webhooksQueueUrl;
  store = new DynamoMessageStore(new DynamoDBClient({}), resources.tableName);
  const at = new Date().toISOString();
  await endpoints.create({
    id: "wh_00000000000000000000000a",
    tenant: "acme",
    principal: "key:test",
    url: "https://hooks.example.com/",
    event_types: ["message.queued", "message.sent"],
    include_recipients: false,
    enabled: true,
    created_at: at,
    updated_at: at,
    secrets: [],
  });
  const real = new SqsJobQueue(sqs(), queueUrl);
  const jobs: JobQueue = {
    send: async (batch) => {
      if (failFirst > 0) {
        failFirst -= 1;
        throw new Error("refused for the test");
      }
      await real.send(batch);
    },
  };
  const deps = { endpoints, jobs, readRecord: recordFromItem, logger: createLogger("test", "SILENT") };
  const { Table } = await new DynamoDBClient({}).send(new DescribeTableCommand({ TableName: resources.tableName }));
  expect(Table?.StreamSpecification).toMatchObject({ StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" });
  poller = await startStreamPoller({
    client: new DynamoDBStreamsClient({}),
    streamArn: Table?.LatestStreamArn as string,
    pollMs: 50,
    logger: deps.logger,
    handle: async (records) => (await fanOut(records.map(toStreamChange), deps)).failedAt,
  });
});

afterAll(async () => {
  await poller?.stop();
  await moto?.stop();
});

async function receiveJobs(count: number, timeoutMs = 15_000): Promise<WebhookJob[]> {
  const jobs: WebhookJob[] = [];
  const deadline = Date.now() + timeoutMs;
  while (jobs.length < count && Date.now() < deadline) {
    const { Messages = [] } = await sqs().send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    for (const m of Messages) {
      jobs.push(WebhookJob.parse(JSON.parse(m.Body ?? "")));
      await sqs().send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
    }
  }
  return jobs;
}

describe("the table's stream → webhook jobs", () => {
  it("queues message.queued when a record is created and message.sent when the consumer marks it, not the claim between", async () => {
    const record = aMessageRecord();
    await store.create(record);
    const claim = await store.claim(record.id, new Date(), 60);
    expect(claim.claimed).toBe(true);
    await store.transition(record.id, { to: "sent", at: new Date(), from: ["sending"], provider: "ses", providerMessageId: "ses-123" });
    const jobs = await receiveJobs(2);
    expect(jobs.map((j) => [j.event.type, j.event.data.message_id])).toEqual([
      ["message.queued", record.id],
      ["message.sent", record.id],
    ]);
    expect(jobs[1]?.event.data).toMatchObject({ provider: "ses", provider_message_id: "ses-123" });
    expect(JSON.stringify(jobs)).not.toContain(record.content?.channel === "email" ? record.content.subject : "-");
    expect(await receiveJobs(1, 1500)).toEqual([]);
  });

  it("reads a record again when its jobs could not be queued, and queues it once it can", async () => {
    failFirst = 2;
    const record = aMessageRecord();
    await store.create(record);
    const jobs = await receiveJobs(1);
    expect(jobs.map((j) => j.event.data.message_id)).toEqual([record.id]);
    expect(failFirst).toBe(0);
  });
});
