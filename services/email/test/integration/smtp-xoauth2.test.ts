import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { EmailContent } from "@herald/contracts";
import { systemClock, type Secret } from "@herald/platform";
import {
  makeTestCertificates,
  startOAuthServer,
  startSmtpServer,
  type ClientCredentialsOptions,
  type OAuthServer,
  type SmtpTestServer,
  type TestCertificates,
} from "@herald/testing";
import { ClientCredentialsTokens } from "../../src/adapters/client-credentials-tokens";
import { SmtpEmailSender } from "../../src/adapters/smtp-email-sender";

const MAILBOX = "noreply@contoso.test";
const CLIENT_ID = "herald-mailer";
const CLIENT_SECRET = "client-secret-1";
const SCOPE = "https://outlook.office365.com/.default";

let certificates: TestCertificates;
const stops: (() => Promise<void>)[] = [];

beforeAll(async () => {
  certificates = await makeTestCertificates();
});

afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

const plainSecret = (value: string): Secret => ({ source: "test", value: async () => value, refresh: async () => value });

/** RFC 7662, as a relay that trusts the identity provider would check a presented token. */
async function isActive(idp: OAuthServer, token: string): Promise<boolean> {
  const response = await fetch(idp.introspectionUrl, {
    method: "POST",
    headers: {
      authorization: `Basic ${Buffer.from(`${idp.clientId}:${idp.clientSecret}`).toString("base64")}`,
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ token }).toString(),
  });
  const answer = (await response.json()) as { active?: boolean; scope?: string };
  return answer.active === true && (answer.scope ?? "").split(" ").includes(SCOPE);
}

/** An identity provider, a relay that accepts only its live tokens, and a sender between them. */
async function aSetup(options: { clientCredentials?: ClientCredentialsOptions; secret?: Secret; refuse?: (token: string) => boolean } = {}) {
  const idp = await startOAuthServer({ clientCredentials: { clients: { [CLIENT_ID]: CLIENT_SECRET }, ...options.clientCredentials } });
  stops.push(() => idp.stop());
  const presented: string[] = [];
  const relay: SmtpTestServer = await startSmtpServer({
    tls: "starttls",
    certificates,
    auth: {
      verifyToken: async (user, token) => {
        presented.push(token);
        return user === MAILBOX && !options.refuse?.(token) && (await isActive(idp, token));
      },
    },
  });
  stops.push(() => relay.stop());
  const tokens = new ClientCredentialsTokens({
    tokenUrl: `${idp.url}/token`,
    clientId: CLIENT_ID,
    clientSecret: options.secret ?? plainSecret(CLIENT_SECRET),
    scope: SCOPE,
    timeoutMs: 2000,
    clock: systemClock,
  });
  const sender = new SmtpEmailSender({
    host: relay.host,
    port: relay.port,
    tls: "starttls",
    extraCa: [certificates.caPem],
    auth: { kind: "oauth", user: MAILBOX, tokens },
    timeoutMs: 5000,
    // every send opens its own session, so each one authenticates
    idleTimeoutMs: 1,
  });
  stops.push(() => sender.close());
  return { idp, relay, sender, presented };
}

function anEmail(subject = "Hello"): EmailContent {
  return { channel: "email", from: MAILBOX, to: ["alice@example.com"], subject, text: "Sent with XOAUTH2." };
}

const send = (sender: SmtpEmailSender, subject?: string) => sender.send(anEmail(subject), { messageId: crypto.randomUUID() });
const sendAfterIdle = async (sender: SmtpEmailSender, subject?: string) => {
  await new Promise((r) => setTimeout(r, 50));
  return send(sender, subject);
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("SmtpEmailSender with XOAUTH2", () => {
  it("sends with a client-credentials token and reuses the token for later sends", async () => {
    // Prepare
    const { idp, relay, sender } = await aSetup();

    // Act
    await send(sender, "One");
    await sendAfterIdle(sender, "Two");
    await sendAfterIdle(sender, "Three");

    // Assess
    const mails = await relay.waitForMessages(3);
    expect(mails.map((m) => [m.authMethod, m.user, m.secure])).toEqual([
      ["XOAUTH2", MAILBOX, true],
      ["XOAUTH2", MAILBOX, true],
      ["XOAUTH2", MAILBOX, true],
    ]);
    expect(relay.authAttempts).toHaveLength(3);
    expect(idp.tokenRequests()).toBe(1);
  });

  it("fetches a new token once the old one is about to expire, without a restart", async () => {
    // Prepare
    const { idp, relay, sender } = await aSetup({ clientCredentials: { lifetimeSeconds: 2 } });
    await send(sender, "Early");

    // Act
    await sleep(2100);
    await send(sender, "Later");

    // Assess
    await relay.waitForMessages(2);
    expect(idp.tokenRequests()).toBe(2);
    expect(relay.authAttempts.map((a) => a.accepted)).toEqual([true, true]);
  });

  it("drops a token the relay refuses as expired, fetches one fresh token and sends", async () => {
    // Prepare: the provider says an hour, the token lives one second.
    const { idp, relay, sender } = await aSetup({ clientCredentials: { lifetimeSeconds: 1, advertisedExpiresIn: 3600 } });
    await send(sender, "Fresh");
    await sleep(1500);

    // Act
    await send(sender, "After expiry");

    // Assess
    const mails = await relay.waitForMessages(2);
    expect(mails.map((m) => m.parsed.subject)).toEqual(["Fresh", "After expiry"]);
    expect(relay.authAttempts.map((a) => a.accepted)).toEqual([true, false, true]);
    expect(idp.tokenRequests()).toBe(2);
  });

  it("refetches exactly once when the relay refuses every token, then fails with a clear reason", async () => {
    // Prepare
    const { idp, relay, sender, presented } = await aSetup({ refuse: () => true });

    // Act
    const error = await send(sender).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ code: "email.smtp_auth_failed", retryable: true });
    expect((error as Error).message).toContain("535");
    expect(idp.tokenRequests()).toBe(2);
    expect(relay.authAttempts.map((a) => a.accepted)).toEqual([false, false]);
    expect(presented[0]).not.toBe(presented[1]);
    for (const token of presented) expect((error as Error).message).not.toContain(token);
    expect(relay.messages).toHaveLength(0);
  });

  it("reads a rotated client secret again when the token endpoint refuses the old one", async () => {
    // Prepare
    let current = CLIENT_SECRET;
    let refreshes = 0;
    const secret: Secret = {
      source: "test",
      value: async () => (refreshes === 0 ? CLIENT_SECRET : current),
      refresh: async () => {
        refreshes += 1;
        return current;
      },
    };
    const { idp, relay, sender } = await aSetup({ secret });
    idp.setClientSecret(CLIENT_ID, "client-secret-2");
    current = "client-secret-2";

    // Act
    await send(sender);

    // Assess
    await relay.waitForMessages(1);
    expect(refreshes).toBe(1);
    expect(idp.tokenRequests()).toBe(2);
  });

  it("fails transiently, naming the token endpoint, while the identity provider is down", async () => {
    // Prepare
    const { idp, relay, sender } = await aSetup();
    idp.failTokenRequests(1, 503);

    // Act
    const error = await send(sender).catch((e: unknown) => e);
    const afterwards = await sendAfterIdle(sender);

    // Assess
    expect(error).toMatchObject({ code: "email.smtp_oauth_unavailable", retryable: true });
    expect((error as Error).message).toContain("503");
    expect(afterwards.providerReply).toMatch(/^250 /);
    expect(relay.messages).toHaveLength(1);
  });

  it("fails transiently with the OAuth error code when the client is refused for good", async () => {
    // Prepare
    const { relay, sender } = await aSetup({ secret: plainSecret("not-the-secret") });

    // Act
    const error = await send(sender).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ code: "email.smtp_oauth_refused", retryable: true });
    expect((error as Error).message).toMatch(/invalid_client/);
    expect((error as Error).message).not.toContain("not-the-secret");
    expect(relay.authAttempts).toHaveLength(0);
  });
});
