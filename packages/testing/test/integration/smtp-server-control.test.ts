import { connect } from "node:net";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { makeTestCertificates, type SmtpFailurePhase, type TestCertificates } from "../../src/index";
import { message, rejection, smtpPeers } from "./smtp-peers";

let certificates: TestCertificates;
const peers = smtpPeers(() => certificates);
const users = { herald: "first password" };
const auth = { user: "herald", pass: users.herald };

beforeAll(async () => {
  certificates = await makeTestCertificates();
});

describe("SmtpTestServer.failNext", () => {
  it.each<[SmtpFailurePhase, number, string]>([
    ["mail", 451, "MAIL FROM"],
    ["rcpt", 550, "RCPT TO"],
    ["data", 451, "DATA"],
    ["data", 550, "DATA"],
  ])("answers the next transactions %s with %i, then accepts again", async (phase, code, command) => {
    // Prepare
    const server = await peers.server({ auth: { users } });
    const client = peers.pool(server, { auth, maxConnections: 1 });
    server.failNext(2, { code }, phase);

    // Act
    const first = await rejection(client.sendMail(message({ to: ["alice@example.test", "bob@example.test"] })));
    const second = await rejection(client.sendMail(message()));
    const third = await client.sendMail(message({ subject: "third" }));

    // Assess
    for (const error of [first, second]) {
      expect(error.responseCode).toBe(code);
      expect(error.command).toContain(command);
    }
    expect(third.response).toMatch(/^250 /);
    expect(server.messages.map((mail) => mail.parsed.subject)).toEqual(["third"]);
  });

  it("says the injected message when one is given", async () => {
    // Prepare
    const server = await peers.server({ auth: { users } });
    const client = peers.client(server, { auth });
    server.failNext(1, { code: 452, message: "Mailbox full, try later" });

    // Act
    const error = await rejection(client.sendMail(message()));

    // Assess
    expect(error.response).toBe("452 Mailbox full, try later");
  });

  it("refuses a code that is no SMTP failure", async () => {
    // Prepare
    const server = await peers.server();

    // Act
    const inject = () => server.failNext(1, { code: 250 });

    // Assess
    expect(inject).toThrow(RangeError);
  });
});

describe("SmtpTestServer.setPassword", () => {
  it("refuses the old password and accepts the new one from the next login on", async () => {
    // Prepare
    const server = await peers.server({ auth: { users } });
    await peers.client(server, { auth }).sendMail(message({ subject: "before" }));

    // Act
    server.setPassword("herald", "second password");
    const old = await rejection(peers.client(server, { auth }).sendMail(message({ subject: "old" })));
    await peers.client(server, { auth: { user: "herald", pass: "second password" } }).sendMail(message({ subject: "new" }));

    // Assess
    expect(old.responseCode).toBe(535);
    expect(server.messages.map((mail) => mail.parsed.subject)).toEqual(["before", "new"]);
    expect(server.authAttempts.map((attempt) => attempt.accepted)).toEqual([true, false, true]);
  });
});

describe("SmtpTestServer.connections", () => {
  it("counts one connection for a pool that sends several messages, closed once the pool is idle", async () => {
    // Prepare
    const server = await peers.server({ auth: { users } });
    const client = peers.pool(server, { auth, maxConnections: 1, idleTimeout: 300 });

    // Act
    for (const subject of ["one", "two", "three"]) await client.sendMail(message({ subject }));
    const whileBusy = { ...server.connections };

    // Assess
    expect(whileBusy).toEqual({ opened: 1, closed: 0, open: 1 });
    await vi.waitFor(() => expect(server.connections.closed).toBe(1), { timeout: 3_000 });
    expect(server.connections.open).toBe(0);
    expect(server.messages).toHaveLength(3);
  });

  it("counts a connection per message for a client without a pool", async () => {
    // Prepare
    const server = await peers.server();
    const client = peers.client(server);

    // Act
    await client.sendMail(message());
    await client.sendMail(message());

    // Assess
    await vi.waitFor(() => expect({ ...server.connections }).toEqual({ opened: 2, closed: 2, open: 0 }), { timeout: 3_000 });
  });
});

describe("SmtpTestServer.stop", () => {
  it("returns promptly with a pooled client still connected and closes its connection", async () => {
    // Prepare
    const server = await peers.server({ auth: { users } });
    const client = peers.pool(server, { auth, idleTimeout: 0 });
    await client.sendMail(message());
    const openBefore = server.connections.open;
    const started = performance.now();

    // Act
    await server.stop();

    // Assess
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(openBefore).toBe(1);
    expect(server.connections.open).toBe(0);
    await expect(rejection(peers.client(server).sendMail(message()))).resolves.toMatchObject({ code: "ESOCKET" });
  });

  it("returns promptly with a client that never speaks and never closes its side", async () => {
    // Prepare
    const server = await peers.server();
    const socket = connect({ port: server.port, host: server.host, allowHalfOpen: true });
    socket.on("error", () => undefined).resume();
    await vi.waitFor(() => expect(server.connections.open).toBe(1));
    const started = performance.now();

    // Act
    await server.stop();

    // Assess
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(server.connections.open).toBe(0);
    socket.destroy();
  });
});

describe("SmtpTestServer.waitForMessages", () => {
  it("resolves once enough messages have come and rejects with a clear error on timeout", async () => {
    // Prepare
    const server = await peers.server();
    const waiting = server.waitForMessages(2);
    const client = peers.client(server);

    // Act
    await client.sendMail(message({ subject: "a" }));
    await client.sendMail(message({ subject: "b" }));
    const timedOut = await rejection(server.waitForMessages(3, 100));

    // Assess
    expect((await waiting).map((mail) => mail.parsed.subject)).toEqual(["a", "b"]);
    expect(timedOut.message).toBe("smtp: expected 3 message(s) within 100 ms, received 2");
  });
});

describe("startSmtpServer size", () => {
  it("advertises SIZE and refuses a larger message with 552", async () => {
    // Prepare
    const server = await peers.server({ size: 1_000 });
    const client = peers.client(server);

    // Act
    const error = await rejection(client.sendMail(message({ text: "x".repeat(5_000) })));
    await client.sendMail(message({ subject: "small" }));

    // Assess
    expect(error.responseCode).toBe(552);
    expect(server.messages.map((mail) => mail.parsed.subject)).toEqual(["small"]);
  });
});
