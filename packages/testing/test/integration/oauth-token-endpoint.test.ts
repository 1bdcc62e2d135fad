import { decodeJwt } from "jose";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { startOAuthServer, type OAuthServer } from "../../src/index";

const clients = { mailer: "mailer-secret", "odd client": "s p+ce" };
let server: OAuthServer;

beforeAll(async () => {
  server = await startOAuthServer({ clientCredentials: { clients, lifetimeSeconds: 60, advertisedExpiresIn: 3600 } });
});

afterAll(async () => {
  await server?.stop();
});

beforeEach(() => {
  server.resetCounts();
  server.failTokenRequests(0);
});

afterEach(() => {
  vi.useRealTimers();
});

type Answer = { status: number; headers: Headers; body: Record<string, unknown> };

function basic(id: string, secret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replaceAll("%20", "+");
  return `Basic ${Buffer.from(`${encode(id)}:${encode(secret)}`).toString("base64")}`;
}

/** POST /token with a client-credentials form, as mailer over HTTP Basic unless told otherwise. */
async function requestToken(
  form: Record<string, string> = {},
  options: { authorization?: string | null; target?: OAuthServer; path?: string; json?: boolean } = {},
): Promise<Answer> {
  const target = options.target ?? server;
  const fields = { grant_type: "client_credentials", ...form };
  const headers: Record<string, string> = { "content-type": options.json ? "application/json" : "application/x-www-form-urlencoded" };
  const authorization = options.authorization === undefined ? basic("mailer", clients.mailer) : options.authorization;
  if (authorization !== null) headers.authorization = authorization;
  const response = await fetch(`${target.url}${options.path ?? "/token"}`, {
    method: "POST",
    headers,
    body: options.json ? JSON.stringify(fields) : new URLSearchParams(fields).toString(),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

async function introspect(token: string, target: OAuthServer = server): Promise<Record<string, unknown>> {
  const response = await fetch(target.introspectionUrl, {
    method: "POST",
    headers: { authorization: basic(target.clientId, target.clientSecret), "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ token }).toString(),
  });
  return (await response.json()) as Record<string, unknown>;
}

describe("startOAuthServer token endpoint with clientCredentials", () => {
  it("issues a token to a known client over HTTP Basic or in the form, with the scope asked for", async () => {
    // Act
    const byBasic = await requestToken({ scope: "smtp:send" });
    const byForm = await requestToken({ scope: "smtp:send", client_id: "odd client", client_secret: "s p+ce" }, { authorization: null });
    const oddByBasic = await requestToken({}, { authorization: basic("odd client", "s p+ce") });

    // Assess
    expect([byBasic.status, byForm.status, oddByBasic.status]).toEqual([200, 200, 200]);
    expect(byBasic.body).toMatchObject({ token_type: "Bearer", scope: "smtp:send", access_token: expect.any(String) });
    expect(decodeJwt(String(byBasic.body.access_token))).toMatchObject({ scope: "smtp:send", sub: "mailer", client_id: "mailer" });
    expect(decodeJwt(String(byForm.body.access_token))).toMatchObject({ scope: "smtp:send", client_id: "odd client" });
  });

  it("answers 401 invalid_client with a Basic challenge to a wrong, unknown, missing or JSON-borne client", async () => {
    // Act
    const answers = await Promise.all([
      requestToken({}, { authorization: basic("mailer", "wrong") }),
      requestToken({}, { authorization: basic("stranger", clients.mailer) }),
      requestToken({}, { authorization: null }),
      requestToken({ client_id: "mailer", client_secret: clients.mailer }, { authorization: null, json: true }),
      requestToken({}, { authorization: null, path: "/TOKEN/" }),
    ]);

    // Assess
    for (const answer of answers) {
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual({ error: "invalid_client" });
      expect(answer.headers.get("www-authenticate")).toMatch(/^Basic\b/);
    }
  });

  it("signs the real lifetime into the token and advertises the other one", async () => {
    // Act
    const answer = await requestToken();

    // Assess
    const { iat = 0, exp = 0 } = decodeJwt(String(answer.body.access_token));
    expect(exp - iat).toBe(60);
    expect(answer.body.expires_in).toBe(3600);
  });

  it("has introspection call a token inactive once past its real lifetime, though still within expires_in", async () => {
    // Prepare
    const { body } = await requestToken({ scope: "smtp:send" });
    const token = String(body.access_token);
    const before = await introspect(token);

    // Act
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 61_000);
    const after = await introspect(token);

    // Assess
    expect(before).toMatchObject({ active: true, scope: "smtp:send", client_id: "mailer" });
    expect(after).toEqual({ active: false });
  });

  it("counts every POST /token, refused and failed ones included, until reset", async () => {
    // Prepare
    server.failTokenRequests(1);

    // Act
    await requestToken();
    await requestToken({}, { authorization: null });
    await requestToken({}, { path: "/Token/" });
    await fetch(server.tokenUrl);
    const counted = server.tokenRequests();
    server.resetCounts();

    // Assess
    expect(counted).toBe(3);
    expect(server.tokenRequests()).toBe(0);
  });

  it("fails the next token requests as told, before checking the client, then answers again", async () => {
    // Prepare
    server.failTokenRequests(2);

    // Act
    const first = await requestToken({}, { authorization: null });
    const second = await requestToken();
    const third = await requestToken();
    server.failTokenRequests(1, 429);
    const limited = await requestToken();

    // Assess
    expect([first.status, second.status, third.status, limited.status]).toEqual([503, 503, 200, 429]);
    expect(first.body).toMatchObject({ error: "temporarily_unavailable" });
    expect(third.body.access_token).toEqual(expect.any(String));
    expect(() => server.failTokenRequests(1, 200)).toThrow(RangeError);
  });

  it("refuses a rotated secret from the rotation on, and keeps tokens issued before active", async () => {
    // Prepare
    const rotating = await startOAuthServer({ clientCredentials: { clients: { mailer: "old" } } });
    const before = await requestToken({}, { target: rotating, authorization: basic("mailer", "old") });

    // Act
    rotating.setClientSecret("mailer", "new");
    const old = await requestToken({}, { target: rotating, authorization: basic("mailer", "old") });
    const rotated = await requestToken({}, { target: rotating, authorization: basic("mailer", "new") });
    const earlier = await introspect(String(before.body.access_token), rotating);
    await rotating.stop();

    // Assess
    expect([before.status, old.status, rotated.status]).toEqual([200, 401, 200]);
    expect(earlier.active).toBe(true);
  });
});

describe("startOAuthServer token endpoint without clients", () => {
  it("takes any client, with lifetimeSeconds as both the real and the advertised lifetime", async () => {
    // Prepare
    const open = await startOAuthServer({ clientCredentials: { lifetimeSeconds: 120 } });

    // Act
    const answer = await requestToken({}, { target: open, authorization: basic("anyone", "anything") });
    const rotate = () => open.setClientSecret("anyone", "x");
    await open.stop();

    // Assess
    const { iat = 0, exp = 0 } = decodeJwt(String(answer.body.access_token));
    expect(answer.status).toBe(200);
    expect([exp - iat, answer.body.expires_in]).toEqual([120, 120]);
    expect(rotate).toThrow(/needs clientCredentials.clients/);
  });

  it("keeps the mock's one-hour tokens when not configured", async () => {
    // Prepare
    const plain = await startOAuthServer();

    // Act
    const answer = await requestToken({}, { target: plain });
    await plain.stop();

    // Assess
    const { iat = 0, exp = 0 } = decodeJwt(String(answer.body.access_token));
    expect([exp - iat, answer.body.expires_in]).toEqual([3600, 3600]);
  });

  it("refuses a lifetime that is not a positive number of seconds", async () => {
    // Act
    const starting = startOAuthServer({ clientCredentials: { lifetimeSeconds: 0 } });

    // Assess
    await expect(starting).rejects.toThrow(RangeError);
  });
});
