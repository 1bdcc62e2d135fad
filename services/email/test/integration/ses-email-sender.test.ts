import { SESv2Client } from "@aws-sdk/client-sesv2";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { EmailContent } from "@herald/contracts";
import { PermanentError, TransientError } from "@herald/platform";
import { freePort, provision, startMoto, useEmulatorEnv, type Emulator } from "@herald/testing";
import { SesEmailSender } from "../../src/adapters/ses-email-sender";

const SENDER = "noreply@herald.test";
let moto: Emulator;

beforeAll(async () => {
  moto = await startMoto();
  useEmulatorEnv(moto.endpoint);
});

afterAll(async () => {
  await moto?.stop();
});

// Every test starts from an empty SES store with only the verified sender.
beforeEach(async () => {
  await moto.reset();
  await provision({ prefix: "email-it", senders: [SENDER] });
});

const sesMessages = async () => (await moto.data()).ses?.Message ?? [];

function anEmail(overrides: Partial<EmailContent> = {}): EmailContent {
  return { channel: "email", from: SENDER, to: ["alice@example.com"], subject: "Your receipt", text: "Thanks.", ...overrides };
}

describe("SesEmailSender", () => {
  it("sends from a verified sender to every destination and returns SES's message id", async () => {
    // Prepare
    const sender = new SesEmailSender(new SESv2Client({}));

    // Act
    const { providerMessageId } = await sender.send(
      anEmail({
        to: ["alice@example.com", "bob@example.com"],
        cc: ["carol@example.com"],
        bcc: ["dave@example.com"],
        reply_to: ["support@example.com"],
        subject: "Receipt A-1001",
        html: "<p>Thanks for your order.</p>",
        text: "Thanks for your order.",
      }),
    );

    // Assess
    expect(providerMessageId).toMatch(/\S/);
    const stored = await sesMessages();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      id: providerMessageId,
      source: SENDER,
      subject: "Receipt A-1001",
      body: "<p>Thanks for your order.</p>",
      destinations: {
        ToAddresses: ["alice@example.com", "bob@example.com"],
        CcAddresses: ["carol@example.com"],
        BccAddresses: ["dave@example.com"],
      },
    });
  });

  it("sends a text-only email without cc or bcc destinations", async () => {
    // Prepare
    const sender = new SesEmailSender(new SESv2Client({}));

    // Act
    const { providerMessageId } = await sender.send(anEmail({ text: "Plain text only." }));

    // Assess
    const stored = await sesMessages();
    expect(stored.map((m) => m.id)).toEqual([providerMessageId]);
    expect(stored[0]?.body).toBe("Plain text only.");
    expect(stored[0]?.destinations).toEqual({ ToAddresses: ["alice@example.com"] });
  });

  it("throws PermanentError email.sender_not_verified and sends nothing when the sender is not verified", async () => {
    // Prepare
    const sender = new SesEmailSender(new SESv2Client({}));

    // Act
    const error: unknown = await sender.send(anEmail({ from: "someone@unverified.test" })).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(PermanentError);
    expect(error).toMatchObject({ code: "email.sender_not_verified", retryable: false });
    expect(error instanceof Error && error.message).not.toContain("someone@unverified.test");
    expect(await sesMessages()).toHaveLength(0);
  });

  it("throws PermanentError email.rejected when SES rejects the message for another reason", async () => {
    // Prepare
    const sender = new SesEmailSender(new SESv2Client({}));
    const tooMany = Array.from({ length: 51 }, (_, i) => `r${i}@example.com`);

    // Act
    const attempt = sender.send(anEmail({ to: tooMany }));

    // Assess
    await expect(attempt).rejects.toMatchObject({ name: "PermanentError", code: "email.rejected" });
    expect(await sesMessages()).toHaveLength(0);
  });

  it("throws TransientError email.network when SES cannot be reached", async () => {
    // Prepare: a port nothing listens on, and no SDK retries, so the failure is immediate.
    const closed = `http://127.0.0.1:${await freePort()}`;
    const sender = new SesEmailSender(new SESv2Client({ endpoint: closed, maxAttempts: 1 }));

    // Act
    const attempt = sender.send(anEmail());

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(TransientError);
    await expect(attempt).rejects.toMatchObject({ code: "email.network", retryable: true });
  });
});
