import { beforeAll, describe, expect, it } from "vitest";
import { makeTestCertificates, startSmtpServer, type TestCertificates } from "../../src/index";
import { message, rejection, smtpPeers } from "./smtp-peers";

let certificates: TestCertificates;
const peers = smtpPeers(() => certificates);
const users = { herald: "correct horse battery staple" };

beforeAll(async () => {
  certificates = await makeTestCertificates();
});

describe("startSmtpServer over STARTTLS with AUTH", () => {
  it("accepts a message after STARTTLS and AUTH LOGIN, and keeps it parsed, raw and secure", async () => {
    // Prepare
    const server = await peers.server({ auth: { users } });
    const client = peers.client(server, { auth: { user: "herald", pass: users.herald }, authMethod: "LOGIN" });

    // Act
    const info = await client.sendMail(message({ to: ["alice@example.test", "bob@example.test"], subject: "Hello" }));

    // Assess
    expect(info.response).toMatch(/^250 /);
    expect(server.messages).toHaveLength(1);
    const [received] = server.messages;
    expect(received).toMatchObject({
      envelope: { from: "herald@example.test", to: ["alice@example.test", "bob@example.test"] },
      secure: true,
      user: "herald",
      authMethod: "LOGIN",
    });
    expect(received?.parsed.subject).toBe("Hello");
    expect(received?.parsed.text?.trim()).toBe("Your code is 123456.");
    expect(received?.raw.toString("utf8")).toMatch(/^Subject: Hello\r$/m);
    expect(server.authAttempts).toEqual([{ method: "LOGIN", user: "herald", accepted: true, at: expect.any(Date) }]);
  });

  it("accepts AUTH PLAIN too", async () => {
    // Prepare
    const server = await peers.server({ auth: { users } });
    const client = peers.client(server, { auth: { user: "herald", pass: users.herald }, authMethod: "PLAIN" });

    // Act
    await client.sendMail(message());

    // Assess
    expect(server.messages.map((mail) => mail.authMethod)).toEqual(["PLAIN"]);
  });

  it("answers 535 to a wrong password, keeps no message and never stores the password", async () => {
    // Prepare
    const server = await peers.server({ auth: { users } });
    const client = peers.client(server, { auth: { user: "herald", pass: "wrong password" } });

    // Act
    const error = await rejection(client.sendMail(message()));

    // Assess
    expect(error).toMatchObject({ code: "EAUTH", responseCode: 535 });
    expect(server.messages).toEqual([]);
    expect(server.authAttempts).toMatchObject([{ user: "herald", accepted: false }]);
    expect(JSON.stringify(server.authAttempts)).not.toContain("wrong password");
  });

  it("answers 530 to MAIL FROM before AUTH", async () => {
    // Prepare
    const server = await peers.server({ auth: { users } });
    const client = peers.client(server);

    // Act
    const error = await rejection(client.sendMail(message()));

    // Assess
    expect(error).toMatchObject({ code: "EENVELOPE", responseCode: 530 });
    expect(server.messages).toEqual([]);
  });

  it("refuses AUTH in cleartext with 538, whether or not STARTTLS is offered", async () => {
    // Prepare
    const offered = await peers.server({ auth: { users } });
    const notOffered = await peers.server({ auth: { users }, offerStartTls: false });
    const auth = { user: "herald", pass: users.herald };

    // Act
    const errors = await Promise.all(
      [offered, notOffered].map((server) => rejection(peers.client(server, { auth, requireTLS: false, ignoreTLS: true }).sendMail(message()))),
    );

    // Assess
    expect(errors.map((error) => error.responseCode)).toEqual([538, 538]);
    expect([...offered.messages, ...notOffered.messages]).toEqual([]);
  });
});

describe("startSmtpServer TLS modes", () => {
  it("fails a client that requires TLS when STARTTLS is not offered, and sends nothing", async () => {
    // Prepare
    const server = await peers.server({ offerStartTls: false });
    const client = peers.client(server, { requireTLS: true });

    // Act
    const error = await rejection(client.sendMail(message()));

    // Assess
    expect(error.code).toBe("ETLS");
    expect(server.messages).toEqual([]);
  });

  it("takes cleartext from a client that does not insist when STARTTLS is not offered, and says so", async () => {
    // Prepare
    const server = await peers.server({ offerStartTls: false });
    const client = peers.client(server, { requireTLS: false });

    // Act
    await client.sendMail(message());

    // Assess
    expect(server.messages.map((mail) => mail.secure)).toEqual([false]);
  });

  it("speaks TLS from the first byte when tls is implicit", async () => {
    // Prepare
    const server = await peers.server({ tls: "implicit", auth: { users } });
    const client = peers.client(server, { secure: true, requireTLS: false, auth: { user: "herald", pass: users.herald } });

    // Act
    await client.sendMail(message());

    // Assess
    expect(server.messages).toMatchObject([{ secure: true, user: "herald" }]);
  });

  it("is refused by a client that does not trust its certificate, before any credentials are sent", async () => {
    // Prepare
    const starttls = await peers.server({ auth: { users } });
    const implicit = await peers.server({ tls: "implicit", auth: { users } });
    const auth = { user: "herald", pass: users.herald };
    const untrusting = { auth, tls: {} };

    // Act
    const errors = await Promise.all([
      rejection(peers.client(starttls, untrusting).sendMail(message())),
      rejection(peers.client(implicit, { ...untrusting, secure: true, requireTLS: false }).sendMail(message())),
    ]);

    // Assess
    for (const error of errors) expect(error.message).toMatch(/unable to verify the first certificate/);
    expect(errors.map((error) => error.code)).toEqual(["ESOCKET", "ESOCKET"]);
    expect([...starttls.authAttempts, ...implicit.authAttempts]).toEqual([]);
    expect([...starttls.messages, ...implicit.messages]).toEqual([]);
  });

  it("accepts AUTH in cleartext when tls is none", async () => {
    // Prepare
    const server = await peers.server({ tls: "none", certificates: undefined, auth: { users } });
    const client = peers.client(server, { requireTLS: false, auth: { user: "herald", pass: users.herald } });

    // Act
    await client.sendMail(message());

    // Assess
    expect(server.messages).toMatchObject([{ secure: false, user: "herald" }]);
  });

  it("refuses to start with TLS but no certificates", async () => {
    // Act
    const starting = startSmtpServer({ tls: "starttls" });

    // Assess
    await expect(starting).rejects.toThrow(/needs certificates/);
  });
});
