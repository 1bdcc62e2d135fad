import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { EmailContent } from "@herald/contracts";
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
import { emailConsumer } from "../../src/deps";

/*
 * The SDK clients the email consumer is built with (deps.ts), as they answer a provider that
 * fails or stalls: one attempt per send (SQS is the retry), a send timeout that ends the request,
 * and DynamoDB keeping its SDK retries (the outcome write must land).
 */

const SENDER = "noreply@herald.test";
let moto: Emulator;
let resources: Resources;
const proxies: AwsProxy[] = [];

beforeAll(async () => {
  moto = await startMoto();
  useEmulatorEnv(moto.endpoint);
  resources = await provision({ prefix: "email-attempts", senders: [SENDER] });
});

afterEach(async () => {
  await Promise.all(proxies.splice(0).map((p) => p.stop()));
});

afterAll(async () => {
  await moto?.stop();
});

/** A proxy in front of the emulator for every AWS call the consumer makes from now on. */
async function throughProxy(options: { fault?: (operation: string) => ProxyDecision; delay?: (operation: string) => number | undefined }) {
  const proxy = await startAwsProxy({ target: moto.endpoint, ...options });
  proxies.push(proxy);
  useEmulatorEnv(proxy.endpoint);
  return proxy;
}

/** Answers the first call of `operation` with a 500, passes every other one on. */
function failsOnce(operation: string, nth = 1): (op: string) => ProxyDecision {
  let seen = 0;
  return (op) => {
    if (op !== operation || ++seen !== nth) return undefined;
    return { status: 500, headers: { "x-amzn-errortype": "InternalFailure" }, body: JSON.stringify({ __type: "InternalFailure", message: "injected" }) };
  };
}

async function aQueuedEmail(subject: string) {
  const store = new DynamoMessageStore(new DynamoDBClient({ endpoint: moto.endpoint }), resources.tableName);
  const content: EmailContent = { channel: "email", from: SENDER, to: ["bob@example.com"], subject, text: "t" };
  const record = aMessageRecord({ content, recipients: ["bob@example.com"] });
  await store.create(record);
  return { record, store, event: { Records: [anSqsRecord(anEnvelope(record))] } };
}

/** The handler as src/entrypoints/lambda.ts composes it, built after the proxy is in place. */
function aLambdaHandler(env: Record<string, string> = {}) {
  return aConsumerHandler(
    emailConsumer,
    { HERALD_TABLE_NAME: resources.tableName, HERALD_LOG_LEVEL: "SILENT", HERALD_EMAIL_MAX_SEND_RATE: "0", ...env },
    async () => undefined,
  ).handle;
}

const sesSubjects = async () => ((await moto.data()).ses?.Message ?? []).map((m) => m.subject);

describe("the email consumer's SES client", () => {
  it("calls SES once for a send that fails with a 5xx, and leaves the retry to SQS", async () => {
    // Prepare
    const proxy = await throughProxy({ fault: failsOnce("SESv2.SendEmail") });
    const handle = aLambdaHandler();
    const { record, store, event } = await aQueuedEmail("fails once");

    // Act
    const result = await handle(event);

    // Assess: one request, the record retrying (counted as one attempt), the record handed back
    expect(proxy.counts.get("SESv2.SendEmail")).toBe(1);
    expect(result.batchItemFailures).toHaveLength(1);
    expect(await store.get(record.id)).toMatchObject({ status: "retrying", attempts: 1, failure: { code: "email.provider_unavailable" } });
    expect(await sesSubjects()).not.toContain("fails once");
  });

  it("ends a send SES does not answer within HERALD_SEND_TIMEOUT_MS at the timeout", async () => {
    // Prepare: SES answers after 3 s; the send timeout is 500 ms
    const proxy = await throughProxy({ delay: (op) => (op === "SESv2.SendEmail" ? 3_000 : undefined) });
    const handle = aLambdaHandler({ HERALD_SEND_TIMEOUT_MS: "500" });
    const { record, store, event } = await aQueuedEmail("stalls");

    // Act
    const started = Date.now();
    const result = await handle(event);
    const took = Date.now() - started;

    // Assess
    expect(took).toBeLessThan(2_500);
    expect(proxy.counts.get("SESv2.SendEmail")).toBe(1);
    expect(result.batchItemFailures).toHaveLength(1);
    expect(await store.get(record.id)).toMatchObject({ status: "retrying", failure: { code: "email.network" } });
  });
});

describe("the email consumer's DynamoDB client", () => {
  it("keeps the SDK's retries: an outcome write that fails once is written on its retry, and SES is called once", async () => {
    // Prepare: the claim is the first UpdateItem, the outcome (sent) the second
    const proxy = await throughProxy({ fault: failsOnce("DynamoDB.UpdateItem", 2) });
    const handle = aLambdaHandler();
    const { record, store, event } = await aQueuedEmail("outcome retried");

    // Act
    const result = await handle(event);

    // Assess
    expect(result.batchItemFailures).toEqual([]);
    expect(proxy.counts.get("DynamoDB.UpdateItem")).toBe(3);
    expect(proxy.counts.get("SESv2.SendEmail")).toBe(1);
    expect(await store.get(record.id)).toMatchObject({ status: "sent", attempts: 1 });
    expect((await sesSubjects()).filter((s) => s === "outcome retried")).toHaveLength(1);
  });
});
