import { createServer, type Server } from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { EmailContent } from "@herald/contracts";
import { PermanentError, TransientError, type Secret } from "@herald/platform";
import { makeTestCertificates, startSmtpServer, type SmtpServerOptions, type SmtpTestServer, type TestCertificates } from "@herald/testing";
import { SmtpEmailSender, type SmtpAuth, type SmtpSenderOptions } from "../../src/adapters/smtp-email-sender";

const USER = "herald";
const PASSWORD = "correct horse battery staple";

let certificates: TestCertificates;
let otherCa: TestCertificates;
const servers: SmtpTestServer[] = [];
const senders: SmtpEmailSender[] = [];

beforeAll(async () => {
  certificates = await makeTestCertificates();
  otherCa = await makeTestCertificates();
});

afterEach(async () => {
  await Promise.all(senders.splice(0).map((s) => s.close()));
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

async function aRelay(options: Partial<SmtpServerOptions> = {}): Promise<SmtpTestServer> {
  const server = await startSmtpServer({ tls: "starttls", certificates, auth: { users: { [USER]: PASSWORD } }, ...options });
  servers.push(server);
  return server;
}

/** A password held in a Secret that changes only when told to, as one in Secrets Manager would. */
function aPassword(initial: string) {
  let stored = initial;
  let served = initial;
  const secret: Secret & { reads: number } = {
    source: "test",
    reads: 0,
    value: async () => served,
    refresh: async () => {
      secret.reads += 1;
      served = stored;
      return served;
    },
  };
  return { secret, rotate: (next: string) => (stored = next) };
}

function aSender(relay: SmtpTestServer, options: Partial<SmtpSenderOptions> & { password?: Secret } = {}): SmtpEmailSender {
  const auth: SmtpAuth = options.auth ?? { kind: "password", user: USER, password: options.password ?? aPassword(PASSWORD).secret };
  const sender = new SmtpEmailSender({
    host: relay.host,
    port: relay.port,
    tls: "starttls",
    extraCa: [certificates.caPem],
    timeoutMs: 5000,
    ...options,
    auth,
  });
  senders.push(sender);
  return sender;
}

function anEmail(overrides: Partial<EmailContent> = {}): EmailContent {
  return { channel: "email", from: "noreply@herald.test", to: ["alice@example.com"], subject: "Your receipt", text: "Thanks.", ...overrides };
}

const context = (messageId = "6f0c1d2e-0000-4000-8000-000000000001") => ({ messageId });

describe("SmtpEmailSender: TLS", () => {
  it("upgrades with STARTTLS, authenticates and sends, trusting the configured CA", async () => {
    // Prepare
    const relay = await aRelay();
    const sender = aSender(relay);

    // Act
    const result = await sender.send(anEmail(), context());

    // Assess
    const [mail] = await relay.waitForMessages(1);
    expect(mail).toMatchObject({ secure: true, user: USER, envelope: { from: "noreply@herald.test", to: ["alice@example.com"] } });
    expect(result.providerMessageId).toBe("<6f0c1d2e-0000-4000-8000-000000000001@herald.test>");
    expect(result.providerReply).toMatch(/^250 /);
  });

  it("refuses a relay that does not offer STARTTLS instead of sending in clear", async () => {
    // Prepare
    const relay = await aRelay({ offerStartTls: false });
    const sender = aSender(relay);

    // Act
    const error = await sender.send(anEmail(), context()).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ code: "email.smtp_starttls_unavailable" });
    expect(relay.messages).toHaveLength(0);
    expect(relay.authAttempts).toHaveLength(0);
  });

  it("speaks TLS from the first byte with implicit TLS", async () => {
    // Prepare
    const relay = await aRelay({ tls: "implicit" });
    const sender = aSender(relay, { tls: "implicit" });

    // Act
    await sender.send(anEmail(), context());

    // Assess
    const [mail] = await relay.waitForMessages(1);
    expect(mail?.secure).toBe(true);
  });

  it("refuses a certificate from a CA it was not given, before any credential is sent", async () => {
    // Prepare
    const relay = await aRelay();
    const sender = aSender(relay, { extraCa: [otherCa.caPem] });

    // Act
    const error = await sender.send(anEmail(), context()).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ code: "email.smtp_certificate_untrusted", retryable: true });
    expect((error as Error).message).toContain("HERALD_SMTP_CA_FILE");
    expect(relay.authAttempts).toHaveLength(0);
    expect(relay.messages).toHaveLength(0);
  });

  it("refuses the relay's certificate with only the system's roots", async () => {
    // Prepare
    const relay = await aRelay();
    const sender = aSender(relay, { extraCa: [] });

    // Act
    const error = await sender.send(anEmail(), context()).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ code: "email.smtp_certificate_untrusted" });
  });

  it("sends to an open relay without TLS or AUTH when told to", async () => {
    // Prepare
    const relay = await aRelay({ tls: "none", auth: undefined, certificates: undefined });
    const sender = aSender(relay, { tls: "none", extraCa: [], auth: { kind: "none" } });

    // Act
    await sender.send(anEmail(), context());

    // Assess
    const [mail] = await relay.waitForMessages(1);
    expect(mail).toMatchObject({ secure: false, user: undefined });
  });
});

describe("SmtpEmailSender: AUTH with a password", () => {
  it("is refused with a reason that names the reply code, never the password", async () => {
    // Prepare
    const relay = await aRelay();
    const sender = aSender(relay, { password: aPassword("wrong-password-123").secret });

    // Act
    const error = await sender.send(anEmail(), context()).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ code: "email.smtp_auth_failed" });
    expect((error as Error).message).toMatch(/refused Herald's credentials \(535/);
    expect(JSON.stringify({ message: (error as Error).message, code: (error as TransientError).code })).not.toContain("wrong-password");
    expect(relay.authAttempts.map((a) => a.accepted)).toEqual([false]);
    expect(relay.messages).toHaveLength(0);
  });

  it("picks up a rotated password at the refusal, without a restart", async () => {
    // Prepare
    const relay = await aRelay();
    const password = aPassword(PASSWORD);
    const sender = aSender(relay, { password: password.secret });
    await sender.send(anEmail({ subject: "Before" }), context());
    await sender.close(); // the next send needs a new session, as after an idle close
    relay.setPassword(USER, "rotated-password");
    password.rotate("rotated-password");

    // Act
    await sender.send(anEmail({ subject: "After" }), context());

    // Assess
    const mails = await relay.waitForMessages(2);
    expect(mails.map((m) => m.parsed.subject)).toEqual(["Before", "After"]);
    expect(password.secret.reads).toBe(1);
    expect(relay.authAttempts.map((a) => a.accepted)).toEqual([true, false, true]);
  });
});

describe("SmtpEmailSender: the message", () => {
  it("writes To and Cc, keeps Bcc in the envelope only, encodes UTF-8 and sends html and text as alternatives", async () => {
    // Prepare
    const relay = await aRelay();
    const sender = aSender(relay);

    // Act
    const before = Date.now();
    await sender.send(
      anEmail({
        from: "billing@herald.test",
        to: ["alice@example.com", "bob@example.com"],
        cc: ["carol@example.com"],
        bcc: ["dave@example.com"],
        reply_to: ["support@herald.test"],
        subject: "Grüße aus Köln — ✓ reçu",
        text: "Grüße, Ihre Bestellung ist unterwegs.",
        html: "<p>Grüße, Ihre <b>Bestellung</b> ist unterwegs.</p>",
      }),
      context("6f0c1d2e-0000-4000-8000-0000000000aa"),
    );

    // Assess
    const [mail] = await relay.waitForMessages(1);
    const raw = mail?.raw.toString("utf8") ?? "";
    const headerBlock = raw.slice(0, raw.indexOf("\r\n\r\n"));
    expect(mail?.envelope.to.sort()).toEqual(["alice@example.com", "bob@example.com", "carol@example.com", "dave@example.com"]);
    expect(headerBlock).not.toMatch(/^bcc:/im);
    expect(raw).not.toContain("dave@example.com");
    expect(headerBlock).toMatch(/^Subject: =\?UTF-8\?[BQ]\?/m);
    expect(headerBlock).toMatch(/^Content-Type: multipart\/alternative/m);
    expect(mail?.parsed.subject).toBe("Grüße aus Köln — ✓ reçu");
    expect(mail?.parsed.to).toMatchObject({ value: [{ address: "alice@example.com" }, { address: "bob@example.com" }] });
    expect(mail?.parsed.cc).toMatchObject({ value: [{ address: "carol@example.com" }] });
    expect(mail?.parsed.bcc).toBeUndefined();
    expect(mail?.parsed.replyTo).toMatchObject({ value: [{ address: "support@herald.test" }] });
    expect(mail?.parsed.text?.trim()).toBe("Grüße, Ihre Bestellung ist unterwegs.");
    expect(mail?.parsed.html).toContain("<b>Bestellung</b>");
    expect(mail?.parsed.messageId).toBe("<6f0c1d2e-0000-4000-8000-0000000000aa@herald.test>");
    expect(mail?.parsed.date?.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(mail?.parsed.headers.get("x-mailer")).toBeUndefined();
  });

  it("lets nothing in a field start a header of its own", async () => {
    // Prepare: the API refuses these at the edge; the transport must not depend on it.
    const relay = await aRelay();
    const sender = aSender(relay);

    // Act
    await sender.send(anEmail({ subject: "Hello\r\nBcc: mallory@evil.test\r\nX-Injected: 1", text: "Body\r\n.\r\nMAIL FROM:<x@evil.test>" }), context());

    // Assess
    const [mail] = await relay.waitForMessages(1);
    const raw = mail?.raw.toString("utf8") ?? "";
    const headerBlock = raw.slice(0, raw.indexOf("\r\n\r\n"));
    expect(headerBlock).not.toMatch(/^(bcc|x-injected):/im);
    expect(mail?.envelope.to).toEqual(["alice@example.com"]);
    expect(relay.messages).toHaveLength(1);
  });
});

describe("SmtpEmailSender: the relay's answers", () => {
  it("treats a 4xx deferral as transient and a refused recipient as permanent", async () => {
    // Prepare
    const relay = await aRelay();
    const sender = aSender(relay);
    relay.failNext(1, { code: 451, message: "Try again later" });

    // Act
    const deferred = await sender.send(anEmail(), context()).catch((e: unknown) => e);
    relay.failNext(1, { code: 550, message: "No such user here" }, "rcpt");
    const refused = await sender.send(anEmail(), context()).catch((e: unknown) => e);
    const sent = await sender.send(anEmail(), context());

    // Assess
    expect(deferred).toBeInstanceOf(TransientError);
    expect(deferred).toMatchObject({ code: "email.smtp_deferred" });
    expect((deferred as Error).message).toContain("451");
    expect(refused).toBeInstanceOf(PermanentError);
    expect(refused).toMatchObject({ code: "email.rejected" });
    expect((refused as Error).message).not.toContain("alice@example.com");
    expect(sent.providerReply).toMatch(/^250 /);
  });

  it("cannot reach a relay that is not there", async () => {
    // Prepare
    const relay = await aRelay();
    const port = relay.port;
    await relay.stop();
    const sender = aSender({ ...relay, port } as SmtpTestServer);

    // Act
    const error = await sender.send(anEmail(), context()).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ code: "email.smtp_unreachable", retryable: true });
  });
});

describe("SmtpEmailSender: connections", () => {
  it("reuses one connection across a batch and closes it when idle", async () => {
    // Prepare
    const relay = await aRelay();
    const sender = aSender(relay, { idleTimeoutMs: 300 });

    // Act
    for (let i = 0; i < 5; i++) await sender.send(anEmail({ subject: `Message ${i}` }), context());
    const whileBusy = { ...relay.connections };
    await new Promise((r) => setTimeout(r, 800));

    // Assess
    expect(relay.messages).toHaveLength(5);
    expect(whileBusy).toMatchObject({ opened: 1, open: 1 });
    expect(relay.connections).toMatchObject({ opened: 1, closed: 1, open: 0 });
    expect(relay.authAttempts).toHaveLength(1);
  });

  it("gives up within the send timeout on a relay that accepts the connection and never speaks", async () => {
    // Prepare
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const port = (silent.address() as AddressInfo).port;
    const sender = new SmtpEmailSender({ host: "127.0.0.1", port, tls: "starttls", auth: { kind: "none" }, timeoutMs: 700 });
    senders.push(sender);

    // Act
    const started = Date.now();
    const error = await sender.send(anEmail(), context()).catch((e: unknown) => e);
    const elapsed = Date.now() - started;
    silent.close();

    // Assess
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).code).toMatch(/^email\.smtp_(timeout|unreachable)$/);
    expect(elapsed).toBeLessThan(3000);
  });
});

afterAll(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});
