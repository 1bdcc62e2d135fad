import { SNSClient } from "@aws-sdk/client-sns";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { SmsContent } from "@herald/contracts";
import { PermanentError, TransientError } from "@herald/platform";
import { freePort, startMoto, useEmulatorEnv, type Emulator } from "@herald/testing";
import { SnsSmsSender } from "../../src/adapters/sns-sms-sender";

let moto: Emulator;

beforeAll(async () => {
  moto = await startMoto();
  useEmulatorEnv(moto.endpoint);
});

afterAll(async () => {
  await moto?.stop();
});

beforeEach(async () => {
  await moto.reset();
});

/** moto keeps every SMS published to a phone number under sns.SMS. */
const published = async () => (await moto.data()).sns?.SMS ?? [];

/** An SNS client that also keeps the message attributes of each Publish it sends (moto does not show them). */
function aRecordingClient(options: ConstructorParameters<typeof SNSClient>[0] = {}) {
  const client = new SNSClient(options);
  const attributes: Record<string, string>[] = [];
  client.middlewareStack.add(
    (next) => async (args) => {
      const request: unknown = args.request;
      if (typeof request === "object" && request !== null && "body" in request && typeof request.body === "string") {
        const form = new URLSearchParams(request.body);
        const sent: Record<string, string> = {};
        for (let i = 1; form.has(`MessageAttributes.entry.${i}.Name`); i++) {
          sent[form.get(`MessageAttributes.entry.${i}.Name`) ?? ""] = form.get(`MessageAttributes.entry.${i}.Value.StringValue`) ?? "";
        }
        attributes.push(sent);
      }
      return next(args);
    },
    { step: "finalizeRequest", name: "recordAttributes" },
  );
  return { client, attributes };
}

function anSms(overrides: Partial<SmsContent> = {}): SmsContent {
  return { channel: "sms", to: "+447911123456", text: "Your code is 123456", ...overrides };
}

describe("SnsSmsSender", () => {
  it("publishes the text to the number as a transactional SMS and returns SNS's message id", async () => {
    // Prepare
    const { client, attributes } = aRecordingClient();
    const sender = new SnsSmsSender(client);

    // Act
    const { providerMessageId } = await sender.send(anSms({ text: "Hello from Herald ✓" }));

    // Assess
    expect(await published()).toEqual([{ message_id: providerMessageId, phone_number: "+447911123456", message: "Hello from Herald ✓" }]);
    expect(attributes).toEqual([{ "AWS.SNS.SMS.SMSType": "Transactional" }]);
  });

  it("adds the sender id attribute when one is configured", async () => {
    // Prepare
    const { client, attributes } = aRecordingClient();
    const sender = new SnsSmsSender(client, { senderId: "Herald" });

    // Act
    const { providerMessageId } = await sender.send(anSms({ to: "+14155552671" }));

    // Assess
    expect((await published()).map((m) => [m.message_id, m.phone_number])).toEqual([[providerMessageId, "+14155552671"]]);
    expect(attributes).toEqual([{ "AWS.SNS.SMS.SMSType": "Transactional", "AWS.SNS.SMS.SenderID": "Herald" }]);
  });

  it("throws PermanentError sms.rejected, without the number, and publishes nothing when SNS refuses the number", async () => {
    // Prepare
    const sender = new SnsSmsSender(new SNSClient({}));

    // Act
    const error: unknown = await sender.send(anSms({ to: "+0044791112" })).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(PermanentError);
    expect(error).toMatchObject({ code: "sms.rejected", retryable: false, message: "SNS refused the message (InvalidParameterException)" });
    expect(await published()).toEqual([]);
  });

  it("throws TransientError sms.network when SNS cannot be reached", async () => {
    // Prepare: a port nothing listens on, and no SDK retries, so the failure is immediate.
    const closed = `http://127.0.0.1:${await freePort()}`;
    const sender = new SnsSmsSender(new SNSClient({ endpoint: closed, maxAttempts: 1 }));

    // Act
    const attempt = sender.send(anSms());

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(TransientError);
    await expect(attempt).rejects.toMatchObject({ code: "sms.network", retryable: true });
  });
});
