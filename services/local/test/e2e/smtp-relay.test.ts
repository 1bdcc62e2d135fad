import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  emulatorClientConfig,
  makeTestCertificates,
  startOAuthServer,
  startSmtpServer,
  type OAuthServer,
  type SmtpTestServer,
  type TestCertificates,
} from "@herald/testing";
import { api, cleanUp, startStack, stopEmulators, until, untilRunning, waitFor } from "./stack";

/*
 * `npm start` with only HERALD_SMTP_* set, as the README's "Email through an SMTP relay" section
 * gives them: a relay with STARTTLS, a CA of its own and AUTH, here a real SMTP server on
 * loopback standing in for SES's SMTP interface or Microsoft 365.
 */

let certificates: TestCertificates;
let idp: OAuthServer;
const relays: SmtpTestServer[] = [];

beforeAll(async () => {
  certificates = await makeTestCertificates();
  idp = await startOAuthServer({ clientCredentials: { clients: { "herald-mailer": "mailer-secret" } } });
});
afterEach(async () => {
  await cleanUp();
  await Promise.all(relays.splice(0).map((r) => r.stop()));
});
afterAll(async () => {
  await stopEmulators();
  await idp?.stop();
});

async function aRelay(auth: Parameters<typeof startSmtpServer>[0]["auth"]): Promise<SmtpTestServer> {
  const relay = await startSmtpServer({ tls: "starttls", certificates, auth });
  relays.push(relay);
  return relay;
}

const relaySettings = (relay: SmtpTestServer) => ({
  HERALD_SMTP_HOST: relay.host,
  HERALD_SMTP_PORT: String(relay.port),
  HERALD_SMTP_CA_FILE: certificates.caFile,
});

describe("npm start with an SMTP relay", () => {
  it("sends through the relay with STARTTLS and a password, and says so on the message", async () => {
    // Prepare
    const relay = await aRelay({ users: { "AKIAEXAMPLESMTPUSER": "smtp-password-1" } });
    const stack = await startStack({ ...relaySettings(relay), HERALD_SMTP_USER: "AKIAEXAMPLESMTPUSER", HERALD_SMTP_PASSWORD: "smtp-password-1" });
    const local = await untilRunning(stack);
    expect(stack.output()).toContain(`email         SMTP relay ${relay.host}:${relay.port}`);

    // Act: the curl npm start prints, as a fetch
    const id = await api(local).send({ channel: "email", to: "you@example.com", cc: "boss@example.com", subject: "Hello from Herald", text: "It works." });
    await until("the email to be sent", local, id, "sent");

    // Assess
    const [mail] = await relay.waitForMessages(1);
    expect(mail).toMatchObject({ secure: true, user: "AKIAEXAMPLESMTPUSER", authMethod: expect.stringMatching(/^(PLAIN|LOGIN)$/) });
    expect(mail?.envelope).toEqual({ from: "noreply@herald.local", to: ["you@example.com", "boss@example.com"] });
    expect(mail?.parsed.subject).toBe("Hello from Herald");
    const view = await api(local).get(id);
    expect(view).toMatchObject({ status: "sent", provider: "smtp", provider_message_id: `<${id}@herald.local>` });
    expect(view.provider_reply).toMatch(/^250 /);
    expect(stack.output()).not.toContain("smtp-password-1");
  });

  it("reads the relay password from the emulator's Secrets Manager and picks up a rotation without a restart", async () => {
    // Prepare
    const relay = await aRelay({ users: { mailer: "first-password" } });
    const stack = await startStack({
      ...relaySettings(relay),
      HERALD_SMTP_USER: "mailer",
      HERALD_SMTP_PASSWORD: "secretsmanager:herald/local/SmtpPassword",
      HERALD_SMTP_IDLE_TIMEOUT_SECONDS: "1",
    });
    const local = await untilRunning(stack);
    const secrets = new SecretsManagerClient(emulatorClientConfig(local.awsEndpoint));
    await secrets.send(new CreateSecretCommand({ Name: "herald/local/SmtpPassword", SecretString: "first-password" }));

    // Act
    const first = await api(local).send({ channel: "email", to: "you@example.com", subject: "Before rotation", text: "1" });
    await until("the first email", local, first, "sent");
    relay.setPassword("mailer", "second-password");
    await secrets.send(new PutSecretValueCommand({ SecretId: "herald/local/SmtpPassword", SecretString: "second-password" }));
    // the pooled session stays authenticated; a new one is refused with the old password, reads
    // the secret again and authenticates with the new one
    await waitFor("the idle SMTP session to close", () => (relay.connections.open === 0 ? true : undefined), 10_000);
    const second = await api(local).send({ channel: "email", to: "you@example.com", subject: "After rotation", text: "2" });
    await until("the second email", local, second, "sent");

    // Assess
    const mails = await relay.waitForMessages(2);
    expect(mails.map((m) => m.parsed.subject)).toEqual(["Before rotation", "After rotation"]);
    expect(relay.authAttempts.map((a) => a.accepted)).toEqual([true, false, true]);
    expect(stack.output()).not.toMatch(/first-password|second-password/);
  });

  it("sends with XOAUTH2 and a client-credentials token from the OAuth server", async () => {
    // Prepare
    const relay = await aRelay({ verifyToken: (user, token) => user === "noreply@contoso.test" && token.split(".").length === 3 });
    const stack = await startStack({
      ...relaySettings(relay),
      HERALD_EMAIL_FROM: "noreply@contoso.test",
      HERALD_SMTP_USER: "noreply@contoso.test",
      HERALD_SMTP_OAUTH_TOKEN_URL: `${idp.url}/token`,
      HERALD_SMTP_OAUTH_CLIENT_ID: "herald-mailer",
      HERALD_SMTP_OAUTH_CLIENT_SECRET: "mailer-secret",
      HERALD_SMTP_OAUTH_SCOPE: "https://outlook.office365.com/.default",
    });
    const local = await untilRunning(stack);
    idp.resetCounts();

    // Act
    const ids = [
      await api(local).send({ channel: "email", to: "you@example.com", subject: "OAuth 1", text: "1" }),
      await api(local).send({ channel: "email", to: "you@example.com", subject: "OAuth 2", text: "2" }),
    ];
    for (const id of ids) await until("the email", local, id, "sent");

    // Assess
    const mails = await relay.waitForMessages(2);
    expect(mails.map((m) => [m.authMethod, m.user])).toEqual([
      ["XOAUTH2", "noreply@contoso.test"],
      ["XOAUTH2", "noreply@contoso.test"],
    ]);
    expect(idp.tokenRequests()).toBe(1);
    expect(stack.output()).not.toContain("mailer-secret");
  });

  it("stops at start-up with one line naming the missing variable of a half-configured relay", async () => {
    // Prepare
    const stack = await startStack({
      HERALD_SMTP_HOST: "127.0.0.1",
      HERALD_SMTP_USER: "noreply@contoso.test",
      HERALD_SMTP_OAUTH_CLIENT_ID: "herald-mailer",
    });

    // Act
    const code = await stack.exited;

    // Assess
    expect(code).toBe(1);
    const lines = stack.output().split("\n").filter((l) => l.includes("invalid configuration"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/HERALD_SMTP_OAUTH_TOKEN_URL: is required with HERALD_SMTP_OAUTH_CLIENT_ID/);
    expect(lines[0]).toMatch(/HERALD_SMTP_OAUTH_CLIENT_SECRET: is required with HERALD_SMTP_OAUTH_CLIENT_ID/);
    expect(stack.output()).not.toContain("Herald is running");
  });
});
