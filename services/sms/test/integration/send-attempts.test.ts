import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { SmsContent } from "@herald/contracts";
import { aConsumerHandler } from "@herald/delivery/testing";
import { DynamoMessageStore } from "@herald/messages/dynamo";
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
  type ProxyDecision,
  type Resources,
} from "@herald/testing";
import { smsConsumer } from "../../src/deps";

/* The SNS client the sms consumer is built with (deps.ts): one attempt per send, a timeout that ends it. */

let moto: Emulator;
let resources: Resources;
const proxies: AwsProxy[] = [];

beforeAll(async () => {
  moto = await startMoto();
  useEmulatorEnv(moto.endpoint);
  resources = await provision({ prefix: "sms-attempts", senders: [] });
});

afterEach(async () => {
  await Promise.all(proxies.splice(0).map((p) => p.stop()));
});

afterAll(async () => {
  await moto?.stop();
});

// SNS speaks the query protocol: a POST to / (DynamoDB's calls are named by their X-Amz-Target).
const PUBLISH = "POST /";

async function throughProxy(options: { fault?: (operation: string) => ProxyDecision; delay?: (operation: string) => number | undefined }) {
  const proxy = await startAwsProxy({ target: moto.endpoint, ...options });
  proxies.push(proxy);
  useEmulatorEnv(proxy.endpoint);
  return proxy;
}

async function aQueuedSms(text: string) {
  const store = new DynamoMessageStore(new DynamoDBClient({ endpoint: moto.endpoint }), resources.tableName);
  const content: SmsContent = { channel: "sms", to: "+14155552671", text };
  const record = aMessageRecord({ channel: "sms", content, recipients: [content.to] });
  await store.create(record);
  return { record, store, event: { Records: [anSqsRecord({ ...anEnvelope(record), channel: "sms" })] } };
}

function aLambdaHandler(env: Record<string, string> = {}) {
  return aConsumerHandler(smsConsumer, { HERALD_TABLE_NAME: resources.tableName, HERALD_LOG_LEVEL: "SILENT", ...env }, async () => undefined).handle;
}

const published = async () => ((await moto.data()).sns?.SMS ?? []).map((m) => m.message);

describe("the sms consumer's SNS client", () => {
  it("calls SNS once for a publish that fails with a 5xx, and leaves the retry to SQS", async () => {
    // Prepare
    let seen = 0;
    const proxy = await throughProxy({
      fault: (op) =>
        op === PUBLISH && ++seen === 1
          ? { status: 500, headers: { "content-type": "text/xml" }, body: "<ErrorResponse><Error><Type>Receiver</Type><Code>InternalError</Code><Message>injected</Message></Error></ErrorResponse>" }
          : undefined,
    });
    const handle = aLambdaHandler();
    const { record, store, event } = await aQueuedSms("fails once");

    // Act
    const result = await handle(event);

    // Assess
    expect(proxy.counts.get(PUBLISH)).toBe(1);
    expect(result.batchItemFailures).toHaveLength(1);
    expect(await store.get(record.id)).toMatchObject({ status: "retrying", attempts: 1, failure: { code: "sms.provider_unavailable" } });
    expect(await published()).not.toContain("fails once");
  });

  it("ends a publish SNS does not answer within HERALD_SEND_TIMEOUT_MS at the timeout", async () => {
    // Prepare
    const proxy = await throughProxy({ delay: (op) => (op === PUBLISH ? 3_000 : undefined) });
    const handle = aLambdaHandler({ HERALD_SEND_TIMEOUT_MS: "500" });
    const { record, store, event } = await aQueuedSms("stalls");

    // Act
    const started = Date.now();
    const result = await handle(event);

    // Assess
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(proxy.counts.get(PUBLISH)).toBe(1);
    expect(result.batchItemFailures).toHaveLength(1);
    expect(await store.get(record.id)).toMatchObject({ status: "retrying", failure: { code: "sms.network" } });
  });
});
