import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { SQSEvent } from "aws-lambda";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { MessageRecord, QueueEnvelope, SmsContent } from "@herald/contracts";
import { aConsumerHandler } from "@herald/delivery/testing";
import { DynamoMessageStore } from "@herald/messages/dynamo";
import type { RetryDelay } from "@herald/queue";
import { aMessageRecord, anEnvelope, anSqsRecord, provision, startMoto, useEmulatorEnv, type Emulator, type Resources } from "@herald/testing";
import { smsConsumer } from "../../src/deps";
import { startFakeTwilio, type FakeTwilio } from "../support/fake-twilio";

const ACCOUNT_SID = `AC${"c".repeat(32)}`;
const AUTH_TOKEN = "lambda-test-auth-token";
let moto: Emulator;
let twilio: FakeTwilio;
let resources: Resources;

beforeAll(async () => {
  moto = await startMoto();
  useEmulatorEnv(moto.endpoint);
  twilio = await startFakeTwilio({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
});

afterAll(async () => {
  await twilio?.stop();
  await moto?.stop();
});

beforeEach(async () => {
  await moto.reset();
  resources = await provision({ prefix: "sms-it", senders: [] });
});

const published = async () => (await moto.data()).sns?.SMS ?? [];

/** The handler as src/entrypoints/lambda.ts composes it, with the configuration given here. */
function aLambdaHandler(env: Record<string, string> = {}, retryDelay?: RetryDelay) {
  const { handle } = aConsumerHandler(smsConsumer, { HERALD_TABLE_NAME: resources.tableName, HERALD_LOG_LEVEL: "SILENT", ...env }, retryDelay);
  return { handle, store: new DynamoMessageStore(new DynamoDBClient({}), resources.tableName) };
}

function anSmsRecord(to: string, text: string): MessageRecord {
  const content: SmsContent = { channel: "sms", to, text };
  return aMessageRecord({ channel: "sms", recipients: [to], content });
}

/** anEnvelope is the email consumer's: the sms queue carries channel "sms". */
function anSmsEnvelope(record: MessageRecord): QueueEnvelope {
  return { ...anEnvelope(record), channel: "sms" };
}

describe("the sms Lambda handler with SNS", () => {
  it("sends the good SMS, fails the refused number for good, and reports only the poison record", async () => {
    // Prepare
    const { handle, store } = aLambdaHandler();
    const good = anSmsRecord("+14155552671", "Lambda SMS");
    const refused = anSmsRecord("+0044791112", "never sent");
    await store.create(good);
    await store.create(refused);
    const poison = anSqsRecord({ v: 2, id: "not-an-envelope" });
    const event: SQSEvent = { Records: [anSqsRecord(anSmsEnvelope(good)), anSqsRecord(anSmsEnvelope(refused)), poison] };

    // Act
    const result = await handle(event);

    // Assess
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: poison.messageId }]);
    const sent = await store.get(good.id);
    expect(sent).toMatchObject({ status: "sent", attempts: 1 });
    expect(sent?.history.map((h) => h.status)).toEqual(["queued", "sending", "sent"]);
    expect(await published()).toEqual([{ message_id: sent?.provider_message_id, phone_number: "+14155552671", message: "Lambda SMS" }]);
    expect(await store.get(refused.id)).toMatchObject({ status: "failed", attempts: 1, failure: { code: "sms.rejected" } });
  });

  it("sends nothing new when the same event is delivered again", async () => {
    // Prepare
    const { handle, store } = aLambdaHandler();
    const good = anSmsRecord("+14155552671", "Only once");
    await store.create(good);
    const event: SQSEvent = { Records: [anSqsRecord(anSmsEnvelope(good))] };
    await handle(event);
    const first = await store.get(good.id);

    // Act
    const again = await handle(event);

    // Assess
    expect(again.batchItemFailures).toEqual([]);
    expect(await published()).toHaveLength(1);
    expect(await store.get(good.id)).toEqual(first);
  });
});

describe("the sms Lambda handler with Twilio", () => {
  // As infra sets it on AWS: a reference to the secret, read at run time (here from moto).
  beforeEach(async () => {
    await new SecretsManagerClient({}).send(new CreateSecretCommand({ Name: "herald/test/TwilioAuthToken", SecretString: AUTH_TOKEN }));
  });

  const twilioEnv = () => ({
    HERALD_SMS_PROVIDER: "twilio",
    HERALD_TWILIO_ACCOUNT_SID: ACCOUNT_SID,
    HERALD_TWILIO_AUTH_TOKEN: "secretsmanager:herald/test/TwilioAuthToken",
    HERALD_TWILIO_FROM: "+15005550006",
    HERALD_TWILIO_BASE_URL: twilio.baseUrl,
  });

  it("records Twilio's sid, fails an invalid number for good, and backs off a throttled send as a batch item failure", async () => {
    // Prepare
    const delayed: string[] = [];
    const { handle, store } = aLambdaHandler(twilioEnv(), async (record) => {
      delayed.push(record.messageId);
    });
    const good = anSmsRecord("+447911000001", "Via Twilio");
    const invalid = anSmsRecord("+447911000002", "Invalid number");
    const throttled = anSmsRecord("+447911000003", "Throttled");
    twilio.answer("+447911000002", { kind: "error", status: 400, code: 21211 });
    twilio.answer("+447911000003", { kind: "error", status: 429, code: 20429 });
    for (const record of [good, invalid, throttled]) await store.create(record);
    const throttledRecord = anSqsRecord(anSmsEnvelope(throttled));
    const event: SQSEvent = { Records: [anSqsRecord(anSmsEnvelope(good)), anSqsRecord(anSmsEnvelope(invalid)), throttledRecord] };

    // Act
    const result = await handle(event);

    // Assess
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: throttledRecord.messageId }]);
    expect(delayed).toEqual([throttledRecord.messageId]);
    const sent = await store.get(good.id);
    expect(sent).toMatchObject({ status: "sent" });
    expect(twilio.created.filter((m) => m.to === "+447911000001")).toEqual([{ sid: sent?.provider_message_id, to: "+447911000001", body: "Via Twilio" }]);
    expect(await store.get(invalid.id)).toMatchObject({ status: "failed", failure: { code: "sms.invalid_number" } });
    expect(await store.get(throttled.id)).toMatchObject({ status: "retrying", failure: { code: "sms.throttled" } });
    expect(twilio.takeRejections()).toEqual([]);
    expect(await published()).toEqual([]);
  });
});
