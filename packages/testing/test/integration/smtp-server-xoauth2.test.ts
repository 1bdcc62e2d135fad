import { connect, type TLSSocket } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTestCertificates, startOAuthServer, type OAuthServer, type SmtpTestServer, type TestCertificates } from "../../src/index";
import { message, rejection, smtpPeers } from "./smtp-peers";

const MAILER = { id: "mailer", secret: "mailer-secret" };
const USER = "herald@example.test";
/** A whole reply: any "250-" continuation lines, then the line whose code a space (or nothing) follows. */
const REPLY = /^(?:\d{3}-[^\r\n]*\r\n)*\d{3}(?: [^\r\n]*)?\r\n/;
let certificates: TestCertificates;
let oauth: OAuthServer;
const peers = smtpPeers(() => certificates);

beforeAll(async () => {
  certificates = await makeTestCertificates();
  oauth = await startOAuthServer({ clientCredentials: { clients: { [MAILER.id]: MAILER.secret } } });
});

afterAll(async () => {
  await oauth?.stop();
});

/** A client-credentials token from the OAuth server, as Herald's transport gets one. */
async function fetchToken(scope = "smtp:send"): Promise<string> {
  const response = await fetch(oauth.tokenUrl, {
    method: "POST",
    headers: { authorization: `Basic ${Buffer.from(`${MAILER.id}:${MAILER.secret}`).toString("base64")}` },
    body: new URLSearchParams({ grant_type: "client_credentials", scope }),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

/** The SMTP server's side: RFC 7662 introspection with the resource server's credentials. */
async function introspectionSaysActive(_user: string, token: string): Promise<boolean> {
  const response = await fetch(oauth.introspectionUrl, {
    method: "POST",
    headers: { authorization: `Basic ${Buffer.from(`${oauth.clientId}:${oauth.clientSecret}`).toString("base64")}` },
    body: new URLSearchParams({ token }),
  });
  const claims = (await response.json()) as { active: boolean; scope?: string };
  return claims.active && (claims.scope ?? "").split(" ").includes("smtp:send");
}

/** A bare SMTP session over implicit TLS, to see the replies exactly as they go on the wire. */
async function wire(server: SmtpTestServer) {
  const socket: TLSSocket = connect({ host: server.host, port: server.port, ca: [certificates.caPem], servername: "localhost" });
  const replies: string[] = [];
  const waiting: Array<(reply: string) => void> = [];
  let buffer = "";
  socket.setEncoding("utf8").on("data", (chunk: string) => {
    buffer += chunk;
    let match: RegExpExecArray | null;
    while ((match = REPLY.exec(buffer)) !== null) {
      buffer = buffer.slice(match[0].length);
      const reply = match[0].trimEnd();
      const next = waiting.shift();
      if (next) next(reply);
      else replies.push(reply);
    }
  });
  const reply = () => new Promise<string>((resolve) => (replies.length > 0 ? resolve(replies.shift() ?? "") : waiting.push(resolve)));
  const say = async (line: string) => {
    socket.write(`${line}\r\n`);
    return reply();
  };
  await reply(); // the greeting
  await say("EHLO client.test");
  return { say, close: () => socket.destroy() };
}

describe("startSmtpServer with XOAUTH2", () => {
  it("accepts a token the OAuth server issued, checked by introspection", async () => {
    // Prepare
    const server = await peers.server({ auth: { verifyToken: introspectionSaysActive } });
    const client = peers.client(server, { auth: { type: "OAuth2", user: USER, accessToken: await fetchToken() } });
    const introspectionsBefore = oauth.introspectionCalls();

    // Act
    await client.sendMail(message());

    // Assess
    expect(server.messages).toMatchObject([{ secure: true, user: USER, authMethod: "XOAUTH2" }]);
    expect(server.authAttempts).toEqual([{ method: "XOAUTH2", user: USER, accepted: true, at: expect.any(Date) }]);
    expect(oauth.introspectionCalls() - introspectionsBefore).toBe(1);
  });

  it("refuses a token without the scope: nodemailer answers the challenge, retries once, then fails with 535", async () => {
    // Prepare
    const server = await peers.server({ auth: { verifyToken: introspectionSaysActive } });
    const token = await fetchToken("messages:read");
    const client = peers.client(server, { auth: { type: "OAuth2", user: USER, accessToken: token } });

    // Act
    const error = await rejection(client.sendMail(message()));

    // Assess
    expect(error).toMatchObject({ code: "EAUTH", responseCode: 535, response: "535 Error: Username and Password not accepted" });
    expect(server.authAttempts.map((attempt) => attempt.accepted)).toEqual([false, false]);
    expect(JSON.stringify(server.authAttempts)).not.toContain(token);
    expect(server.messages).toEqual([]);
  });

  it("sends a 334 challenge with the RFC 7628 error JSON, then 535 once the client answers it", async () => {
    // Prepare
    const server = await peers.server({ tls: "implicit", auth: { verifyToken: () => false } });
    const session = await wire(server);
    const initial = Buffer.from(`user=${USER}\x01auth=Bearer not-a-token\x01\x01`).toString("base64");

    // Act
    const challenge = await session.say(`AUTH XOAUTH2 ${initial}`);
    const final = await session.say("");
    session.close();

    // Assess
    const [code, payload = ""] = challenge.split(" ");
    expect(code).toBe("334");
    expect(JSON.parse(Buffer.from(payload, "base64").toString("utf8"))).toEqual({
      status: "401",
      schemes: "bearer",
      scope: "https://mail.example/",
    });
    expect(final).toBe("535 Error: Username and Password not accepted");
  });

  it("lets a client that renews its token on refusal get in on the retry", async () => {
    // Prepare
    const server = await peers.server({ auth: { verifyToken: introspectionSaysActive } });
    const stale = await fetchToken();
    oauth.revoke(stale);
    const renewals: boolean[] = [];
    const client = peers.client(server, {
      auth: {
        type: "OAuth2",
        user: USER,
        provisionCallback: (_user, renew, callback) => {
          renewals.push(renew);
          (renew ? fetchToken() : Promise.resolve(stale)).then((token) => callback(null, token), callback);
        },
      },
    });

    // Act
    await client.sendMail(message());

    // Assess
    expect(renewals).toEqual([false, true]);
    expect(server.authAttempts.map((attempt) => attempt.accepted)).toEqual([false, true]);
    expect(server.messages).toHaveLength(1);
  });

  it("answers 454, a temporary failure, when the token cannot be checked", async () => {
    // Prepare
    const server = await peers.server({
      auth: {
        verifyToken: () => {
          throw new Error("introspection unreachable");
        },
      },
    });
    const client = peers.client(server, { auth: { type: "OAuth2", user: USER, accessToken: "any" } });

    // Act
    const error = await rejection(client.sendMail(message()));

    // Assess
    expect(error).toMatchObject({ code: "EAUTH", responseCode: 454 });
    expect(server.authAttempts).toMatchObject([{ method: "XOAUTH2", accepted: false }]);
  });
});
