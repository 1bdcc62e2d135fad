import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SESv2Client } from "@aws-sdk/client-sesv2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoMessageStore } from "@herald/messages";
import { PermanentError } from "@herald/platform";
import { createSqsHandler } from "@herald/queue";
import { aMessageRecord, anEnvelope, anSqsRecord, provision, startMoto, useEmulatorEnv, type Emulator, type Resources } from "@herald/testing";
import { SesEmailSender } from "../../src/adapters/ses-email-sender";
import { loadConfig } from "../../src/config";
import { buildDeps } from "../../src/deps";
import { handleEmailMessage } from "../../src/domain/handle-message";

const SENDER = "noreply@herald.test";
let moto: Emulator;
let resources: Resources;

beforeAll(async () => {
  moto = await startMoto();
  useEmulatorEnv(moto.endpoint);
  resources = await provision({ prefix: "email-it", senders: [SENDER] });
});

afterAll(async () => {
  await moto.stop();
});

const sesMessages = async () => (await moto.data()).ses?.Message ?? [];

describe("SesEmailSender against the emulator", () => {
  it("sends from a verified sender with every destination field", async () => {
    // Prepare
    const sender = new SesEmailSender(new SESv2Client({}));

    // Act
    const { providerMessageId } = await sender.send({
      channel: "email",
      from: SENDER,
      to: ["alice@example.com"],
      cc: ["carol@example.com"],
      bcc: ["dave@example.com"],
      reply_to: ["support@example.com"],
      subject: "Receipt",
      html: "<p>Thanks</p>",
      text: "Thanks",
    });

    // Assess
    const sent = (await sesMessages()).filter((m) => m.id === providerMessageId);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      source: SENDER,
      subject: "Receipt",
      destinations: { ToAddresses: ["alice@example.com"], CcAddresses: ["carol@example.com"], BccAddresses: ["dave@example.com"] },
    });
  });

  it("fails permanently with email.sender_not_verified for an unverified sender", async () => {
    const sender = new SesEmailSender(new SESv2Client({}));
    const attempt = sender.send({ channel: "email", from: "someone@unverified.test", to: ["a@example.com"], subject: "s", text: "t" });
    await expect(attempt).rejects.toBeInstanceOf(PermanentError);
    await expect(attempt).rejects.toMatchObject({ code: "email.sender_not_verified" });
  });
});

describe("the email Lambda handler against the emulator", () => {
  it("sends the good one, fails the unverified one for good, and reports only the poison record", async () => {
    // Prepare
    const deps = buildDeps(loadConfig({ HERALD_TABLE_NAME: resources.tableName, HERALD_LOG_LEVEL: "SILENT" }));
    const handler = createSqsHandler((envelope, ctx) => handleEmailMessage(envelope, { receiveCount: ctx.receiveCount }, deps), deps.logger);
    const store = new DynamoMessageStore(new DynamoDBClient({}), resources.tableName);
    const good = aMessageRecord({ content: { channel: "email", from: SENDER, to: ["bob@example.com"], subject: "Lambda path", text: "hi" } });
    const unverified = aMessageRecord({ content: { channel: "email", from: "x@unverified.test", to: ["bob@example.com"], subject: "nope", text: "hi" } });
    await store.create(good);
    await store.create(unverified);
    const poison = anSqsRecord("not json");
    const event = { Records: [anSqsRecord(anEnvelope(good)), anSqsRecord(anEnvelope(unverified)), poison] };
    const before = (await sesMessages()).length;

    // Act
    const result = await handler(event);
    const again = await handler(event);

    // Assess
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: poison.messageId }]);
    expect(again.batchItemFailures).toEqual([{ itemIdentifier: poison.messageId }]);
    const sent = await store.get(good.id);
    expect(sent?.status).toBe("sent");
    expect((await sesMessages()).filter((m) => m.id === sent?.provider_message_id)).toHaveLength(1);
    expect((await sesMessages()).length).toBe(before + 1);
    expect(await store.get(unverified.id)).toMatchObject({ status: "failed", failure: { code: "email.sender_not_verified" } });
  });
});
