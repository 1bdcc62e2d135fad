import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { SQSEvent } from "aws-lambda";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { EmailContent } from "@herald/contracts";
import { aConsumerHandler } from "@herald/delivery/testing";
import { DynamoMessageStore } from "@herald/messages/dynamo";
import type { RetryDelay } from "@herald/queue";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import {
  aMessageRecord,
  anEnvelope,
  anSqsRecord,
  makeTestCertificates,
  provision,
  startMoto,
  startSmtpServer,
  useEmulatorEnv,
  type Emulator,
  type Resources,
} from "@herald/testing";
import { emailConsumer } from "../../src/deps";

const SENDER = "noreply@herald.test";
let moto: Emulator;
let resources: Resources;

beforeAll(async () => {
  moto = await startMoto();
  useEmulatorEnv(moto.endpoint);
});

afterAll(async () => {
  await moto?.stop();
});

beforeEach(async () => {
  await moto.reset();
  resources = await provision({ prefix: "email-it", senders: [SENDER] });
});

const sesMessages = async () => (await moto.data()).ses?.Message ?? [];

/** The handler as src/entrypoints/lambda.ts composes it, with the configuration given here. */
function aLambdaHandler(retryDelay?: RetryDelay, env: Record<string, string> = {}) {
  const { handle, deps } = aConsumerHandler(emailConsumer, { HERALD_TABLE_NAME: resources.tableName, HERALD_LOG_LEVEL: "SILENT", ...env }, retryDelay);
  return { handle, deps, store: new DynamoMessageStore(new DynamoDBClient({}), resources.tableName) };
}

function anEmail(overrides: Partial<EmailContent> = {}): EmailContent {
  return { channel: "email", from: SENDER, to: ["bob@example.com"], subject: "Lambda path", text: "Hello from Lambda.", ...overrides };
}

/** One good message, one from an unverified sender, both recorded, and a poison record. */
async function aMixedBatch(store: DynamoMessageStore) {
  const good = aMessageRecord({ content: anEmail(), recipients: ["bob@example.com"] });
  const unverified = aMessageRecord({ content: anEmail({ from: "x@unverified.test" }), recipients: ["bob@example.com"] });
  await store.create(good);
  await store.create(unverified);
  const poison = anSqsRecord("not json");
  const event: SQSEvent = { Records: [anSqsRecord(anEnvelope(good)), anSqsRecord(anEnvelope(unverified)), poison] };
  return { good, unverified, poison, event };
}

describe("the email Lambda handler", () => {
  it("sends the good message, fails the unverified one for good, and reports only the poison record", async () => {
    // Prepare
    const { handle, store } = aLambdaHandler();
    const { good, unverified, poison, event } = await aMixedBatch(store);

    // Act
    const result = await handle(event);

    // Assess
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: poison.messageId }]);
    const sent = await store.get(good.id);
    expect(sent).toMatchObject({ status: "sent", attempts: 1 });
    expect(sent?.history.map((h) => h.status)).toEqual(["queued", "sending", "sent"]);
    const stored = await sesMessages();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ id: sent?.provider_message_id, source: SENDER, subject: "Lambda path" });
    expect(await store.get(unverified.id)).toMatchObject({
      status: "failed",
      attempts: 1,
      failure: { code: "email.sender_not_verified" },
    });
  });

  it("sends nothing new when the same event is delivered again", async () => {
    // Prepare
    const { handle, store } = aLambdaHandler();
    const { good, unverified, poison, event } = await aMixedBatch(store);
    await handle(event);
    const first = await store.get(good.id);

    // Act
    const again = await handle(event);

    // Assess
    expect(again.batchItemFailures).toEqual([{ itemIdentifier: poison.messageId }]);
    expect(await sesMessages()).toHaveLength(1);
    expect(await store.get(good.id)).toEqual(first);
    expect(await store.get(unverified.id)).toMatchObject({ status: "failed", attempts: 1 });
  });

  it("reports a message whose claim another worker holds as a batch item failure and backs it off, without sending", async () => {
    // Prepare
    const delayed: { messageId: string; receiveCount: number }[] = [];
    const { handle, store } = aLambdaHandler(async (record, receiveCount) => {
      delayed.push({ messageId: record.messageId, receiveCount });
    });
    const held = aMessageRecord({ content: anEmail(), recipients: ["bob@example.com"] });
    await store.create(held);
    await store.claim(held.id, new Date(), 120);
    const record = anSqsRecord(anEnvelope(held), { ApproximateReceiveCount: "2" });

    // Act
    const result = await handle({ Records: [record] });

    // Assess
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
    expect(delayed).toEqual([{ messageId: record.messageId, receiveCount: 2 }]);
    expect(await sesMessages()).toHaveLength(0);
    expect(await store.get(held.id)).toMatchObject({ status: "sending", attempts: 1 });
  });

  it("sends through an SMTP relay with the password from Secrets Manager, reporting a deferred message for retry", async () => {
    // Prepare: the environment infra gives the function, with the emulator's Secrets Manager
    const certificates = await makeTestCertificates();
    const relay = await startSmtpServer({ tls: "starttls", certificates, auth: { users: { "smtp-user": "from-secrets-manager" } } });
    await new SecretsManagerClient({}).send(new CreateSecretCommand({ Name: "herald/it/SmtpPassword", SecretString: "from-secrets-manager" }));
    const { handle, deps, store } = aLambdaHandler(async () => undefined, {
      HERALD_EMAIL_TRANSPORTS: "smtp",
      HERALD_SMTP_HOST: relay.host,
      HERALD_SMTP_PORT: String(relay.port),
      HERALD_SMTP_CA_FILE: certificates.caFile,
      HERALD_SMTP_USER: "smtp-user",
      HERALD_SMTP_PASSWORD: "secretsmanager:herald/it/SmtpPassword",
    });
    const deferred = aMessageRecord({ content: anEmail({ subject: "Deferred" }), recipients: ["bob@example.com"] });
    const sent = aMessageRecord({ content: anEmail({ subject: "Sent" }), recipients: ["bob@example.com"] });
    await store.create(deferred);
    await store.create(sent);
    const deferredRecord = anSqsRecord(anEnvelope(deferred));
    relay.failNext(1, { code: 451, message: "Greylisted, try again later" });

    // Act
    const result = await handle({ Records: [deferredRecord, anSqsRecord(anEnvelope(sent))] });
    await deps.sender.close();
    await relay.stop();

    // Assess
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: deferredRecord.messageId }]);
    expect(await store.get(deferred.id)).toMatchObject({ status: "retrying", provider: "smtp", failure: { code: "email.smtp_deferred" } });
    expect(await store.get(sent.id)).toMatchObject({ status: "sent", provider: "smtp", provider_message_id: `<${sent.id}@herald.test>` });
    expect(relay.messages.map((m) => m.parsed.subject)).toEqual(["Sent"]);
    expect(await sesMessages()).toHaveLength(0);
  });
});
