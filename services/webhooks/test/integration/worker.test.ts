import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { KMSClient } from "@aws-sdk/client-kms";
import { GetQueueAttributesCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WebhookJob } from "@herald/contracts";
import { EnvelopeCipher } from "@herald/crypto";
import { KmsDataKeyProvider } from "@herald/crypto/kms";
import { startSqsWorker, type Worker } from "@herald/queue/sqs";
import { provision, startMoto, startWebhookReceiver, useEmulatorEnv, type Emulator, type WebhookReceiver } from "@herald/testing";
import { deliveryIdFor, eventIdFor, generateSecret, newWebhookId, sealSecret } from "@herald/webhooks";
import { DynamoWebhookStore } from "@herald/webhooks/dynamo";
import { loadConfig } from "../../src/config";
import { buildDeps, webhooksConsumer } from "../../src/deps";

/*
 * The webhook consumer as the local worker runs it, against the emulator: its own composition
 * root (buildDeps from loadConfig: the Dynamo store, KMS through the secret cache, the guarded
 * sender) and parser; jobs on the real webhooks queue, the endpoint and its delivery log in the
 * real table, its secret sealed under the emulator's KMS key, and a real receiver that verifies
 * with standardwebhooks. Only the backoff is the test's own (seconds, not 30 s to 4 h).
 */
let moto: Emulator;
let receiver: WebhookReceiver;
let worker: Worker;
let store: DynamoWebhookStore;
let cipher: EnvelopeCipher;
let queueUrl: string;
let dlqUrl: string;
/** The receiver's answers, in order; then 204. */
let answers: number[] = [];

beforeAll(async () => {
  moto = await startMoto();
  useEmulatorEnv(moto.endpoint);
  const resources = await provision({ prefix: "webhooks-it", senders: [], webhookMaxAttempts: 3, visibilityTimeoutSeconds: 5 });
  queueUrl = resources.webhooksQueueUrl;
  dlqUrl = resources.webhooksDlqUrl;
  store = new DynamoWebhookStore(new DynamoDBClient({}), resources.tableName);
  cipher = new EnvelopeCipher(new KmsDataKeyProvider(new KMSClient({}), resources.kmsKeyId));
  receiver = await startWebhookReceiver({ respond: (n, r) => answers[n - 1] ?? (r.verified ? 204 : 401) });
  const config = loadConfig({
    HERALD_TABLE_NAME: resources.tableName,
    HERALD_WEBHOOKS_QUEUE_URL: queueUrl,
    HERALD_WEBHOOKS_ALLOW_LOOPBACK: "true",
    HERALD_WEBHOOK_TIMEOUT_MS: "2000",
    HERALD_WEBHOOK_MAX_ATTEMPTS: "3",
    HERALD_LOG_LEVEL: "SILENT",
  });
  const deps = buildDeps(config);
  worker = startSqsWorker<WebhookJob>({
    client: new SQSClient({}),
    queueUrl,
    handle: (job, context) => webhooksConsumer.handle(job, context, deps),
    parse: webhooksConsumer.parse,
    logger: deps.logger,
    waitTimeSeconds: 1,
    // seconds, not the production 30 s to 4 h
    backoff: { baseSeconds: 1, maxSeconds: 1 },
  });
});

afterAll(async () => {
  await worker?.stop();
  await receiver?.stop();
  await moto?.stop();
});

async function anEndpoint(): Promise<{ id: string; secret: string }> {
  const id = newWebhookId();
  const secret = generateSecret();
  const at = new Date();
  await store.create({
    id,
    tenant: "acme",
    principal: "key:test",
    url: `${receiver.url}/herald`,
    event_types: ["message.sent"],
    include_recipients: false,
    enabled: true,
    created_at: at.toISOString(),
    updated_at: at.toISOString(),
    secrets: [await sealSecret(cipher, "acme", id, secret, at)],
  });
  return { id, secret };
}

function aJob(webhookId: string, change: string): WebhookJob {
  const eventId = eventIdFor(change);
  const timestamp = new Date().toISOString();
  return {
    v: 1,
    tenant: "acme",
    webhook_id: webhookId,
    delivery_id: deliveryIdFor(eventId, webhookId, new Date(timestamp)),
    event_id: eventId,
    event: {
      type: "message.sent",
      timestamp,
      data: { message_id: "6f0c1d2e-0000-4000-8000-000000000002", status: "sent", channel: "email", created_at: timestamp, recipients: [] },
    },
  };
}

const enqueue = (job: WebhookJob) => new SQSClient({}).send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(job) }));

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("the webhook worker", () => {
  it("retries a receiver that fails twice through the queue, then succeeds: one webhook-id, three verified attempts", async () => {
    const { id, secret } = await anEndpoint();
    receiver.setSecrets([secret]);
    receiver.received.length = 0;
    answers = [500, 502];
    const job = aJob(id, `change-${id}`);
    await enqueue(job);

    const delivery = await until("the third attempt to succeed", async () => {
      const d = await store.getDelivery("acme", id, job.delivery_id);
      return d?.status === "succeeded" ? d : undefined;
    });
    expect(delivery.attempts.map((a) => a.status_code)).toEqual([500, 502, 204]);
    expect(receiver.received.map((r) => r.status)).toEqual([500, 502, 204]);
    expect(new Set(receiver.received.map((r) => r.headers["webhook-id"]))).toEqual(new Set([job.event_id]));
    expect(receiver.received.every((r) => r.verified)).toBe(true);
    expect((await store.get("acme", id))?.failing_since).toBeUndefined();
  });

  it("dead-letters a job whose every attempt fails: the delivery says so and the job is in the DLQ", async () => {
    const { id, secret } = await anEndpoint();
    receiver.setSecrets([secret]);
    receiver.received.length = 0;
    answers = [500, 500, 500];
    const job = aJob(id, `change-dead-${id}`);
    await enqueue(job);
    const delivery = await until("the last attempt", async () => {
      const d = await store.getDelivery("acme", id, job.delivery_id);
      return d?.status === "dead_lettered" ? d : undefined;
    });
    expect(delivery.attempts).toHaveLength(3);
    const inDlq = await until("the job in the DLQ", async () => {
      const { Attributes = {} } = await new SQSClient({}).send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ["ApproximateNumberOfMessages"] }));
      return Number(Attributes.ApproximateNumberOfMessages) >= 1 ? Number(Attributes.ApproximateNumberOfMessages) : undefined;
    });
    expect(inDlq).toBe(1);
    expect((await store.get("acme", id))?.failing_since).toBeDefined();
  });
});
