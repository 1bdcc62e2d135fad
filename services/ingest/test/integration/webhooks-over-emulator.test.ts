import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { KMSClient } from "@aws-sdk/client-kms";
import { ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "@herald/auth";
import { DynamoApiKeyStore } from "@herald/auth/dynamo";
import { Roles, WebhookJob } from "@herald/contracts";
import { EnvelopeCipher } from "@herald/crypto";
import { KmsDataKeyProvider } from "@herald/crypto/kms";
import { provision, startMoto, useEmulatorEnv, type Emulator, type Resources } from "@herald/testing";
import { deliveryIdFor, eventIdFor, openSecret } from "@herald/webhooks";
import { DynamoWebhookStore } from "@herald/webhooks/dynamo";
import { createApp } from "../../src/app";
import { loadConfig } from "../../src/config";
import { buildDeps } from "../../src/deps";

/*
 * The webhook routes as deps.ts wires them: endpoints in DynamoDB, secrets sealed under KMS
 * (opened here as the webhook consumer would), a retry sent to the webhooks queue.
 */

let moto: Emulator;
let resources: Resources;
let apiKey: string;

const appWith = (extra: Record<string, string> = {}) =>
  createApp(
    buildDeps(
      loadConfig({
        HERALD_TABLE_NAME: resources.tableName,
        HERALD_EMAIL_QUEUE_URL: resources.emailQueueUrl,
        HERALD_SMS_QUEUE_URL: resources.smsQueueUrl,
        HERALD_SECURE_QUEUE_URL: resources.secureQueueUrl,
        HERALD_EMAIL_FROM: "noreply@herald.test",
        HERALD_LOG_LEVEL: "SILENT",
        HERALD_AUDIT_HMAC_KEY: "integration-test-audit-key-of-32-chars",
        HERALD_KMS_KEY_ID: resources.kmsKeyId,
        HERALD_WEBHOOKS_QUEUE_URL: resources.webhooksQueueUrl,
        ...extra,
      }),
    ),
  );

beforeAll(async () => {
  moto = await startMoto();
  useEmulatorEnv(moto.endpoint);
  resources = await provision({ prefix: "ingest-webhooks-it", senders: ["noreply@herald.test"] });
  const keys = new DynamoApiKeyStore(new DynamoDBClient({}), resources.tableName);
  apiKey = (await createApiKey(keys, { tenant: "acme", roles: [Roles.webhooks] })).key;
});

afterAll(async () => {
  await moto?.stop();
});

describe("webhook routes against the emulator", () => {
  it("registers, rotates and retries: secrets open with KMS, the retry reaches the webhooks queue", async () => {
    // Prepare
    const app = appWith({ HERALD_WEBHOOKS_ALLOW_LOOPBACK: "true" });
    const headers = { "x-api-key": apiKey, "content-type": "application/json" };
    const store = new DynamoWebhookStore(new DynamoDBClient({}), resources.tableName);
    const cipher = new EnvelopeCipher(new KmsDataKeyProvider(new KMSClient({})));

    // Act: register (a loopback receiver is allowed here) and rotate
    const created = await app.request("/v1/webhooks", { method: "POST", headers, body: JSON.stringify({ url: "http://127.0.0.1:9/hook", event_types: ["message.sent"] }) });
    const { id, secret } = (await created.json()) as { id: string; secret: string };
    const rotated = await app.request(`/v1/webhooks/${id}/rotate-secret`, { method: "POST", headers: { "x-api-key": apiKey } });
    const { secret: next } = (await rotated.json()) as { secret: string };

    // Assess
    expect(created.status).toBe(201);
    expect(rotated.status).toBe(200);
    const stored = await store.get("acme", id);
    expect(await openSecret(cipher, "acme", id, stored!.secrets[0]!)).toBe(next);
    expect(await openSecret(cipher, "acme", id, stored!.secrets[1]!)).toBe(secret);

    // Prepare: a delivery the consumer gave up on
    const eventId = eventIdFor("stream-record-1");
    const at = new Date("2026-12-03T10:00:00.000Z");
    const deliveryId = deliveryIdFor(eventId, id, at);
    const event = {
      type: "message.sent" as const,
      timestamp: at.toISOString(),
      data: { message_id: "11111111-1111-4111-8111-000000000001", status: "sent" as const, channel: "email" as const, created_at: at.toISOString(), recipients: [] },
    };
    await store.startDelivery({ id: deliveryId, tenant: "acme", webhook_id: id, event_id: eventId, type: "message.sent", message_id: event.data.message_id, created_at: at.toISOString(), event });
    await store.setDeliveryStatus("acme", id, deliveryId, "dead_lettered", at);

    // Act
    const retried = await app.request(`/v1/webhooks/${id}/deliveries/${deliveryId}/retry`, { method: "POST", headers: { "x-api-key": apiKey } });

    // Assess
    expect(retried.status).toBe(202);
    expect((await store.getDelivery("acme", id, deliveryId))?.status).toBe("pending");
    const received = await new SQSClient({}).send(new ReceiveMessageCommand({ QueueUrl: resources.webhooksQueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    const jobs = (received.Messages ?? []).map((m) => WebhookJob.parse(JSON.parse(m.Body ?? "{}")));
    expect(jobs).toEqual([{ v: 1, tenant: "acme", webhook_id: id, delivery_id: deliveryId, event_id: eventId, event, manual: true }]);
  });

  it("refuses a loopback URL by default, and registration without a KMS key answers 503", async () => {
    const headers = { "x-api-key": apiKey, "content-type": "application/json" };
    const body = JSON.stringify({ url: "http://127.0.0.1:9/hook", event_types: ["message.sent"] });
    expect((await appWith().request("/v1/webhooks", { method: "POST", headers, body })).status).toBe(400);
    const noKey = appWith({ HERALD_KMS_KEY_ID: "" });
    const response = await noKey.request("/v1/webhooks", { method: "POST", headers, body: JSON.stringify({ url: "https://hooks.example.com/", event_types: ["message.sent"] }) });
    expect(response.status).toBe(503);
  });
});
