import type { AddressInfo } from "node:net";
import { serve, type ServerType } from "@hono/node-server";
import { ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { Context } from "aws-lambda";
import { handle, type LambdaEvent } from "hono/aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "@herald/auth";
import { DynamoApiKeyStore } from "@herald/auth/dynamo";
import { ALL_ROLES } from "@herald/contracts";
import { DynamoMessageStore } from "@herald/messages/dynamo";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { provision, startMoto, useEmulatorEnv, type Emulator, type Resources } from "@herald/testing";
import { createApp } from "../../src/app";
import { loadConfig } from "../../src/config";
import { buildDeps } from "../../src/deps";

let moto: Emulator;
let resources: Resources;
let apiKey: string;

function appWith(queueUrl: string) {
  const config = loadConfig({
    HERALD_TABLE_NAME: resources.tableName,
    HERALD_EMAIL_QUEUE_URL: queueUrl,
    HERALD_SMS_QUEUE_URL: resources.smsQueueUrl,
    HERALD_SECURE_QUEUE_URL: resources.secureQueueUrl,
    HERALD_EMAIL_FROM: "noreply@herald.test",
    HERALD_LOG_LEVEL: "SILENT",
    HERALD_AUDIT_HMAC_KEY: "integration-test-audit-key-of-32-chars",
  });
  return createApp(buildDeps(config));
}

async function listen(app: ReturnType<typeof createApp>): Promise<{ url: string; server: ServerType }> {
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, (info: AddressInfo) =>
      resolve({ url: `http://127.0.0.1:${info.port}`, server }),
    );
  });
}

const body = { channel: "email", to: ["alice@example.com"], cc: "carol@example.com", subject: "Over the wire", html: "<p>hi</p>" };

beforeAll(async () => {
  moto = await startMoto();
  useEmulatorEnv(moto.endpoint);
  resources = await provision({ prefix: "ingest-it", senders: ["noreply@herald.test"] });
  const keys = new DynamoApiKeyStore(new DynamoDBClient({}), resources.tableName);
  apiKey = (await createApiKey(keys, { tenant: "acme", roles: [...ALL_ROLES] })).key;
});

afterAll(async () => {
  await moto.stop();
});

describe("ingest API over HTTP against the emulator", () => {
  it("writes the record to DynamoDB and the envelope to SQS", async () => {
    // Prepare
    const { url, server } = await listen(appWith(resources.emailQueueUrl));

    // Act
    const response = await fetch(`${url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": apiKey },
      body: JSON.stringify(body),
    });
    server.close();

    // Assess
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as { id: string };
    const record = await new DynamoMessageStore(new DynamoDBClient({}), resources.tableName).get(id);
    expect(record).toMatchObject({ status: "queued", tenant: "acme", recipients: ["alice@example.com", "carol@example.com"] });
    const received = await new SQSClient({}).send(
      new ReceiveMessageCommand({ QueueUrl: resources.emailQueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    const envelopes = (received.Messages ?? []).map((m) => JSON.parse(m.Body ?? "{}") as { id: string });
    expect(envelopes).toContainEqual({ v: 1, id, tenant: "acme", principal: record?.principal, channel: "email" });
  });

  it("answers 503 and records the failure when the queue does not exist", async () => {
    // Prepare
    const missingQueue = resources.emailQueueUrl.replace(/[^/]+$/, "no-such-queue");
    const { url, server } = await listen(appWith(missingQueue));

    // Act
    const response = await fetch(`${url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": apiKey },
      body: JSON.stringify(body),
    });
    server.close();

    // Assess
    expect(response.status).toBe(503);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    const store = new DynamoMessageStore(new DynamoDBClient({}), resources.tableName);
    const page = await store.listByRecipient({ tenant: "acme", recipient: "alice@example.com", limit: 10 });
    expect(page.items.map((r) => [r.status, r.failure?.code])).toContainEqual(["failed", "queue.enqueue_failed"]);
  });

  it("serves the same app through the API Gateway HTTP API (v2) Lambda handler", async () => {
    // Prepare
    const handler = handle(appWith(resources.emailQueueUrl));
    const event = apiGatewayEvent("POST", "/v1/messages", JSON.stringify(body), {
      "content-type": "application/json",
      "x-api-key": apiKey,
    });

    // Act
    const result = await handler(event, {} as Context);

    // Assess
    expect(result.statusCode).toBe(202);
    expect(JSON.parse(result.body ?? "{}")).toMatchObject({ status: "queued", channel: "email" });
    const bad = await handler(apiGatewayEvent("POST", "/v1/messages", "{", { "content-type": "application/json", "x-api-key": apiKey }), {} as Context);
    expect(bad.statusCode).toBe(400);
    expect(bad.headers?.["content-type"]).toBe("application/problem+json");
  });
});

function apiGatewayEvent(method: string, path: string, body: string, headers: Record<string, string>): LambdaEvent {
  return {
    version: "2.0",
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: "",
    headers,
    body,
    isBase64Encoded: false,
    requestContext: {
      accountId: "000000000000",
      authentication: null,
      authorizer: {},
      apiId: "local",
      domainName: "api.example.com",
      domainPrefix: "api",
      http: { method, path, protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: "vitest" },
      requestId: "req-1",
      routeKey: `${method} ${path}`,
      stage: "$default",
      time: "23/Nov/2026:10:00:00 +0000",
      timeEpoch: Date.now(),
    },
  };
}
