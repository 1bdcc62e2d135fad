import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { SQSEvent } from "aws-lambda";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { MessageRecord, QueueEnvelope, SmsContent } from "@herald/contracts";
import { DynamoMessageStore } from "@herald/messages/dynamo";
import { createSqsHandler } from "@herald/queue/sqs";
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
  type Resources,
} from "@herald/testing";
import { loadConfig } from "../../src/config";
import { buildDeps } from "../../src/deps";
import { handleSmsMessage } from "../../src/domain/handle-message";
import { startFakeTwilio, type FakeTwilio } from "../support/fake-twilio";

/*
 * The auth token as it lives on AWS: HERALD_TWILIO_AUTH_TOKEN=secretsmanager:<name>, read from
 * (moto's) Secrets Manager by the handler src/entrypoints/lambda.ts composes. The SDK goes through
 * a counting proxy, so each test can say how many times the secret was read.
 */
const ACCOUNT_SID = `AC${"5".repeat(32)}`;
const SECRET_NAME = "herald/test/TwilioAuthToken";
const FIRST = "f1r5tf1r5tf1r5tf1r5tf1r5tf1r5t00";
const SECOND = "5ec0nd5ec0nd5ec0nd5ec0nd5ec0nd00";
let moto: Emulator;
let proxy: AwsProxy;
let twilio: FakeTwilio;
let resources: Resources;
let secrets: SecretsManagerClient;

beforeAll(async () => {
  moto = await startMoto();
  proxy = await startAwsProxy({ target: moto.endpoint });
  useEmulatorEnv(proxy.endpoint);
  secrets = new SecretsManagerClient({});
  twilio = await startFakeTwilio({ accountSid: ACCOUNT_SID, authToken: FIRST });
});

afterAll(async () => {
  await twilio?.stop();
  await proxy?.stop();
  await moto?.stop();
});

beforeEach(async () => {
  await moto.reset();
  twilio.rotateAuthToken(FIRST);
  resources = await provision({ prefix: "sms-rotation", senders: [] });
  await secrets.send(new CreateSecretCommand({ Name: SECRET_NAME, SecretString: FIRST }));
  proxy.counts.clear();
});

afterEach(() => {
  twilio.takeRejections();
});

const secretReads = () => proxy.counts.get("secretsmanager.GetSecretValue") ?? 0;
const rotateInSecretsManager = (token: string) => secrets.send(new PutSecretValueCommand({ SecretId: SECRET_NAME, SecretString: token }));
const basicAuth = (token: string) => `Basic ${Buffer.from(`${ACCOUNT_SID}:${token}`).toString("base64")}`;

/** The handler as src/entrypoints/lambda.ts composes it: one process, so one token cache. */
function aLambdaHandler(env: Record<string, string> = {}) {
  const deps = buildDeps(
    loadConfig({
      HERALD_TABLE_NAME: resources.tableName,
      HERALD_LOG_LEVEL: "SILENT",
      HERALD_SMS_PROVIDER: "twilio",
      HERALD_TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      HERALD_TWILIO_AUTH_TOKEN: `secretsmanager:${SECRET_NAME}`,
      HERALD_TWILIO_FROM: "+15005550006",
      HERALD_TWILIO_BASE_URL: twilio.baseUrl,
      // Far longer than a test: a rotation picked up here is picked up by the refusal, not by age.
      HERALD_SECRETS_MAX_AGE: "3600",
      ...env,
    }),
  );
  const handle = createSqsHandler(
    (envelope, ctx) => handleSmsMessage(envelope, { receiveCount: ctx.receiveCount }, deps),
    deps.logger,
    async () => undefined,
  );
  return { handle, store: new DynamoMessageStore(new DynamoDBClient({}), resources.tableName) };
}

let nextNumber = 0;
async function aQueuedSms(store: DynamoMessageStore, text = "Rotation code 8080"): Promise<{ record: MessageRecord; to: string }> {
  nextNumber += 1;
  const to = `+4479112${String(nextNumber).padStart(5, "0")}`;
  const content: SmsContent = { channel: "sms", to, text };
  const record = aMessageRecord({ channel: "sms", recipients: [to], content });
  await store.create(record);
  return { record, to };
}

function anEvent(record: MessageRecord, receiveCount = 1): SQSEvent {
  const envelope: QueueEnvelope = { ...anEnvelope(record), channel: "sms" };
  return { Records: [anSqsRecord(envelope, { ApproximateReceiveCount: String(receiveCount) })] };
}

const authorizationsFor = (to: string) => twilio.requests.filter((r) => r.form.To === to).map((r) => r.authorization);

describe("the sms Lambda handler with the Twilio auth token in Secrets Manager", () => {
  it("sends with the token read from the secret, reading it once for many sends", async () => {
    // Prepare
    const { handle, store } = aLambdaHandler();
    const first = await aQueuedSms(store);
    const second = await aQueuedSms(store);

    // Act
    const results = [await handle(anEvent(first.record)), await handle(anEvent(second.record))];

    // Assess
    expect(results).toEqual([{ batchItemFailures: [] }, { batchItemFailures: [] }]);
    expect(await store.get(first.record.id)).toMatchObject({ status: "sent", attempts: 1 });
    expect(await store.get(second.record.id)).toMatchObject({ status: "sent", attempts: 1 });
    expect([...authorizationsFor(first.to), ...authorizationsFor(second.to)]).toEqual([basicAuth(FIRST), basicAuth(FIRST)]);
    expect(secretReads()).toBe(1);
  });

  it("picks up a token rotated in Secrets Manager and at Twilio at the next send: one refusal, one more read, no restart", async () => {
    // Prepare
    const { handle, store } = aLambdaHandler();
    const before = await aQueuedSms(store);
    await handle(anEvent(before.record));
    await rotateInSecretsManager(SECOND);
    twilio.rotateAuthToken(SECOND);
    const after = await aQueuedSms(store);
    const later = await aQueuedSms(store);

    // Act
    const result = await handle(anEvent(after.record));
    const readsAfterRotation = secretReads();
    await handle(anEvent(later.record));

    // Assess
    expect(result.batchItemFailures).toEqual([]);
    const sent = await store.get(after.record.id);
    expect(sent).toMatchObject({ status: "sent", attempts: 1 });
    expect(twilio.created.filter((m) => m.to === after.to)).toEqual([{ sid: sent?.provider_message_id, to: after.to, body: "Rotation code 8080" }]);
    expect(authorizationsFor(after.to)).toEqual([basicAuth(FIRST), basicAuth(SECOND)]);
    expect(twilio.takeRejections()).toEqual(["authorization"]);
    expect(readsAfterRotation).toBe(2);
    // The fresh token is cached again: the next send asks neither Secrets Manager nor Twilio twice.
    expect(authorizationsFor(later.to)).toEqual([basicAuth(SECOND)]);
    expect(secretReads()).toBe(2);
    for (const record of [before.record, after.record, later.record]) {
      const stored = JSON.stringify(await store.get(record.id));
      expect(stored).not.toContain(FIRST);
      expect(stored).not.toContain(SECOND);
    }
  });

  it("retries the message while Twilio refuses the token the secret still holds, and sends it once the secret is updated", async () => {
    // Prepare
    const { handle, store } = aLambdaHandler();
    const { record, to } = await aQueuedSms(store);
    twilio.rotateAuthToken(SECOND);

    // Act
    const refused = await handle(anEvent(record, 1));
    const whileRefused = await store.get(record.id);
    await rotateInSecretsManager(SECOND);
    const redelivered = await handle(anEvent(record, 2));

    // Assess
    expect(refused.batchItemFailures).toHaveLength(1);
    expect(whileRefused).toMatchObject({ status: "retrying", failure: { code: "sms.provider_auth", reason: "Twilio refused the credentials (20003)" } });
    expect(redelivered.batchItemFailures).toEqual([]);
    expect(await store.get(record.id)).toMatchObject({ status: "sent", attempts: 2 });
    // Refused once with the only token the secret held (read, then read again: no retry), then
    // refused with the cached one and sent with the one read again.
    expect(authorizationsFor(to)).toEqual([basicAuth(FIRST), basicAuth(FIRST), basicAuth(SECOND)]);
    expect(secretReads()).toBe(3);
  });

  it("retries the message with secrets.unavailable, asking Twilio nothing, while the secret does not exist", async () => {
    // Prepare
    const { handle, store } = aLambdaHandler({ HERALD_TWILIO_AUTH_TOKEN: "secretsmanager:herald/test/NoSuchSecret" });
    const { record, to } = await aQueuedSms(store);

    // Act
    const result = await handle(anEvent(record));

    // Assess
    expect(result.batchItemFailures).toHaveLength(1);
    expect(await store.get(record.id)).toMatchObject({ status: "retrying", failure: { code: "secrets.unavailable" } });
    expect(authorizationsFor(to)).toEqual([]);
  });
});
