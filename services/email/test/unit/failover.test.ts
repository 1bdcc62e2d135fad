import { describe, expect, it } from "vitest";
import type { EmailContent } from "@herald/contracts";
import type { SendContext } from "@herald/delivery";
import { AppError, PermanentError, TransientError } from "@herald/platform";
import { FailoverEmailSender } from "../../src/domain/failover";
import type { EmailSender, EmailTransport, SendResult } from "../../src/ports/email-sender";

const EMAIL: EmailContent = { channel: "email", from: "noreply@herald.test", to: ["alice@example.com"], subject: "Hi", text: "Hello" };

/** Answers from a script: each call takes the next outcome, the last one repeating. */
class ScriptedSender implements EmailSender {
  calls = 0;
  readonly name: EmailTransport;
  readonly #script: (AppError | "ok")[];

  constructor(name: EmailTransport, ...script: (AppError | "ok")[]) {
    this.name = name;
    this.#script = script;
  }

  async send(): Promise<SendResult> {
    const outcome = this.#script[Math.min(this.calls, this.#script.length - 1)] ?? "ok";
    this.calls += 1;
    if (outcome !== "ok") throw outcome;
    return { providerMessageId: `${this.name}-${this.calls}` };
  }
}

/** A SendContext that writes down what the failover sender told it. */
function aContext() {
  const events: string[] = [];
  const context: SendContext = {
    messageId: "m-1",
    attempt: (provider) => events.push(`try ${provider}`),
    failedOver: (error) => events.push(`failed over: ${error.code}`),
  };
  return { context, events };
}

const throttled = () => new TransientError("email.throttled", "SES throttled the send (ThrottlingException)");
const unreachable = () => new TransientError("email.smtp_unreachable", "Could not reach the SMTP relay (ECONNREFUSED)");
const rejected = () => new PermanentError("email.rejected", "SES rejected the message (MessageRejected)");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("FailoverEmailSender", () => {
  it("sends through the primary alone while it works", async () => {
    // Prepare
    const ses = new ScriptedSender("ses", "ok");
    const smtp = new ScriptedSender("smtp", "ok");
    const sender = new FailoverEmailSender([ses, smtp], { failures: 3, cooldownMs: 1000 });
    const { context, events } = aContext();

    // Act
    const result = await sender.send(EMAIL, context);

    // Assess
    expect(result.providerMessageId).toBe("ses-1");
    expect([ses.calls, smtp.calls]).toEqual([1, 0]);
    expect(events).toEqual(["try ses"]);
  });

  it("sends a message the primary failed transiently through the next transport at once", async () => {
    // Prepare
    const ses = new ScriptedSender("ses", throttled());
    const smtp = new ScriptedSender("smtp", "ok");
    const sender = new FailoverEmailSender([ses, smtp], { failures: 3, cooldownMs: 1000 });
    const { context, events } = aContext();

    // Act
    const result = await sender.send(EMAIL, context);

    // Assess
    expect(result.providerMessageId).toBe("smtp-1");
    expect(events).toEqual(["try ses", "failed over: email.throttled", "try smtp"]);
  });

  it("does not fail over a permanent refusal", async () => {
    // Prepare
    const ses = new ScriptedSender("ses", rejected());
    const smtp = new ScriptedSender("smtp", "ok");
    const sender = new FailoverEmailSender([ses, smtp], { failures: 3, cooldownMs: 1000 });
    const { context, events } = aContext();

    // Act
    const error = await sender.send(EMAIL, context).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ code: "email.rejected", retryable: false });
    expect(smtp.calls).toBe(0);
    expect(events).toEqual(["try ses"]);
  });

  it("throws the last transport's error, having reported the one it failed over from", async () => {
    // Prepare
    const sender = new FailoverEmailSender([new ScriptedSender("ses", throttled()), new ScriptedSender("smtp", unreachable())], {
      failures: 3,
      cooldownMs: 1000,
    });
    const { context, events } = aContext();

    // Act
    const error = await sender.send(EMAIL, context).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ code: "email.smtp_unreachable", retryable: true });
    expect(events).toEqual(["try ses", "failed over: email.throttled", "try smtp"]);
  });

  it("skips a transport that keeps failing for the cooldown, then probes it and takes it back once it works", async () => {
    // Prepare: SES fails twice (the breaker opens), then recovers.
    const ses = new ScriptedSender("ses", throttled(), throttled(), "ok");
    const smtp = new ScriptedSender("smtp", "ok");
    const sender = new FailoverEmailSender([ses, smtp], { failures: 2, cooldownMs: 150 });

    // Act
    for (let i = 0; i < 2; i++) await sender.send(EMAIL, aContext().context);
    const whileOpen = aContext();
    await sender.send(EMAIL, whileOpen.context);
    const sesCallsWhileOpen = ses.calls;
    await sleep(200);
    const probe = aContext();
    const probed = await sender.send(EMAIL, probe.context);
    const after = await sender.send(EMAIL, aContext().context);

    // Assess
    expect(sesCallsWhileOpen).toBe(2);
    expect(whileOpen.events).toEqual(["try smtp"]);
    expect(probe.events).toEqual(["try ses"]);
    expect([probed.providerMessageId, after.providerMessageId]).toEqual(["ses-3", "ses-4"]);
    expect(smtp.calls).toBe(3);
  });

  it("opens the breaker again when the probe fails, and keeps skipping", async () => {
    // Prepare
    const ses = new ScriptedSender("ses", throttled());
    const smtp = new ScriptedSender("smtp", "ok");
    const sender = new FailoverEmailSender([ses, smtp], { failures: 1, cooldownMs: 100 });
    await sender.send(EMAIL, aContext().context);
    await sleep(130);

    // Act
    await sender.send(EMAIL, aContext().context);
    const next = aContext();
    await sender.send(EMAIL, next.context);

    // Assess
    expect(ses.calls).toBe(2);
    expect(next.events).toEqual(["try smtp"]);
  });

  it("answers a retryable error without calling anything when every transport is paused", async () => {
    // Prepare
    const ses = new ScriptedSender("ses", throttled());
    const smtp = new ScriptedSender("smtp", unreachable());
    const sender = new FailoverEmailSender([ses, smtp], { failures: 1, cooldownMs: 10_000 });
    await sender.send(EMAIL, aContext().context).catch(() => undefined);

    // Act
    const { context, events } = aContext();
    const error = await sender.send(EMAIL, context).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ code: "email.transports_paused", retryable: true });
    expect((error as Error).message).toContain("ses, smtp");
    expect([ses.calls, smtp.calls]).toEqual([1, 1]);
    expect(events).toEqual([]);
  });

  it("does not count a permanent refusal towards the breaker", async () => {
    // Prepare
    const ses = new ScriptedSender("ses", rejected(), rejected(), rejected(), "ok");
    const sender = new FailoverEmailSender([ses], { failures: 2, cooldownMs: 10_000 });
    for (let i = 0; i < 3; i++) await sender.send(EMAIL, aContext().context).catch(() => undefined);

    // Act
    const result = await sender.send(EMAIL, aContext().context);

    // Assess
    expect(result.providerMessageId).toBe("ses-4");
  });

  it("pauses a lone transport too, so a dead relay costs one timeout per cooldown", async () => {
    // Prepare
    const smtp = new ScriptedSender("smtp", unreachable());
    const sender = new FailoverEmailSender([smtp], { failures: 2, cooldownMs: 10_000 });

    // Act
    const codes: string[] = [];
    for (let i = 0; i < 5; i++) codes.push(((await sender.send(EMAIL, aContext().context).catch((e: unknown) => e)) as AppError).code);

    // Assess
    expect(smtp.calls).toBe(2);
    expect(codes).toEqual(["email.smtp_unreachable", "email.smtp_unreachable", "email.transports_paused", "email.transports_paused", "email.transports_paused"]);
  });
});
