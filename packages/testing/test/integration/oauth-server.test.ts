import { decodeJwt } from "jose";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startOAuthServer, type OAuthServer } from "../../src/index";

let server: OAuthServer;

beforeAll(async () => {
  server = await startOAuthServer();
});

afterAll(async () => {
  await server?.stop();
});

beforeEach(() => {
  server.resetCounts();
  server.failIntrospection(0);
});

type Answer = { status: number; headers: Headers; body: Record<string, unknown> };

function basic(id: string, secret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replaceAll("%20", "+");
  return `Basic ${Buffer.from(`${encode(id)}:${encode(secret)}`).toString("base64")}`;
}

/** POST /introspect as Herald does it: HTTP Basic and a form body, unless told otherwise. */
async function introspect(
  form: Record<string, string>,
  options: { authorization?: string | null; contentType?: string; body?: string; target?: OAuthServer } = {},
): Promise<Answer> {
  const target = options.target ?? server;
  const headers: Record<string, string> = { "content-type": options.contentType ?? "application/x-www-form-urlencoded" };
  const authorization = options.authorization === undefined ? basic(target.clientId, target.clientSecret) : options.authorization;
  if (authorization !== null) headers.authorization = authorization;
  const response = await fetch(target.introspectionUrl, {
    method: "POST",
    headers,
    body: options.body ?? new URLSearchParams(form).toString(),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

/** Changes one character in the middle of the signature (the last one may only carry padding bits). */
function tamper(token: string): string {
  const [header = "", payload = "", signature = ""] = token.split(".");
  const at = Math.floor(signature.length / 2);
  const swapped = signature[at] === "A" ? "B" : "A";
  return [header, payload, `${signature.slice(0, at)}${swapped}${signature.slice(at + 1)}`].join(".");
}

describe("startOAuthServer", () => {
  it("answers active with every claim of the token when the token is valid", async () => {
    // Prepare
    const token = await server.token({
      sub: "alice",
      username: "alice@acme.test",
      tenant: "acme",
      scope: ["messages:send", "messages:read"],
      roles: ["admin"],
      aud: ["herald", "other"],
      claims: { client_id: "portal", plan: "gold" },
    });
    const now = Math.floor(Date.now() / 1000);

    // Act
    const answer = await introspect({ token });

    // Assess
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toMatch(/^application\/json/);
    expect(answer.body).toEqual({
      active: true,
      iss: server.issuer,
      sub: "alice",
      username: "alice@acme.test",
      tenant: "acme",
      scope: "messages:send messages:read",
      roles: ["admin"],
      aud: ["herald", "other"],
      client_id: "portal",
      plan: "gold",
      token_type: "Bearer",
      jti: expect.any(String),
      iat: expect.any(Number),
      nbf: expect.any(Number),
      exp: expect.any(Number),
    });
    expect(answer.body.exp).toBeGreaterThanOrEqual(now + 3599);
    expect(answer.body.exp).toBeLessThanOrEqual(now + 3601);
  });

  it("gives a token the default subject, tenant and audience and no scope when none are asked for", async () => {
    // Prepare
    const token = await server.token();

    // Act
    const answer = await introspect({ token });

    // Assess
    expect(answer.body).toMatchObject({ active: true, sub: "user-1", tenant: "tenant-a", aud: "herald" });
    expect(answer.body).not.toHaveProperty("scope");
    expect(answer.body).not.toHaveProperty("roles");
    expect(answer.body).not.toHaveProperty("client_id");
  });

  it("answers inactive when the token has expired", async () => {
    // Prepare
    const token = await server.token({ expiresIn: -60 });
    const now = Math.floor(Date.now() / 1000);

    // Act
    const answer = await introspect({ token });

    // Assess
    expect(answer).toMatchObject({ status: 200, body: { active: false } });
    expect(Object.keys(answer.body)).toEqual(["active"]);
    const { iat = 0, nbf = 0, exp = 0 } = decodeJwt(token);
    expect(exp).toBeLessThanOrEqual(now - 59);
    expect(nbf).toBeLessThan(iat);
    expect(iat).toBeLessThan(exp);
  });

  it("answers inactive when the signature has been tampered with", async () => {
    // Prepare
    const token = tamper(await server.token());

    // Act
    const answer = await introspect({ token });

    // Assess
    expect(answer.body).toEqual({ active: false });
  });

  it("answers inactive when the token was signed by another server", async () => {
    // Prepare
    const other = await startOAuthServer();
    const foreign = await other.token({ claims: { iss: server.issuer } });
    await other.stop();

    // Act
    const answer = await introspect({ token: foreign });

    // Assess
    expect(answer.body).toEqual({ active: false });
  });

  it("answers inactive when the token names another issuer, is not yet valid, or is no JWT", async () => {
    // Prepare
    const later = Math.floor(Date.now() / 1000) + 600;
    const tokens = [
      await server.token({ claims: { iss: "http://127.0.0.1:1" } }),
      await server.token({ claims: { nbf: later } }),
      "not-a-jwt",
    ];

    // Act
    const answers = await Promise.all(tokens.map((token) => introspect({ token })));

    // Assess
    expect(answers.map((a) => a.body)).toEqual([{ active: false }, { active: false }, { active: false }]);
  });

  it("answers inactive once the token is revoked, and only for that token", async () => {
    // Prepare
    const token = await server.token();
    const twin = await server.token();
    const before = await introspect({ token });

    // Act
    server.revoke(token);
    const after = await introspect({ token });
    const other = await introspect({ token: twin });

    // Assess
    expect(before.body.active).toBe(true);
    expect(after.body).toEqual({ active: false });
    expect(other.body.active).toBe(true);
  });

  it("answers 401 invalid_client with a Basic challenge when the client secret is wrong or missing", async () => {
    // Prepare
    const token = await server.token();

    // Act
    const wrong = await introspect({ token }, { authorization: basic(server.clientId, "wrong") });
    const missing = await introspect({ token }, { authorization: null });
    const bearer = await introspect({ token }, { authorization: `Bearer ${token}` });

    // Assess
    for (const answer of [wrong, missing, bearer]) {
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual({ error: "invalid_client" });
      expect(answer.headers.get("www-authenticate")).toMatch(/^Basic\b/);
    }
  });

  it("accepts the client credentials in the form body", async () => {
    // Prepare
    const token = await server.token();
    const credentials = { client_id: server.clientId, client_secret: server.clientSecret };

    // Act
    const right = await introspect({ token, ...credentials }, { authorization: null });
    const wrong = await introspect({ token, ...credentials, client_secret: "wrong" }, { authorization: null });

    // Assess
    expect(right).toMatchObject({ status: 200, body: { active: true } });
    expect(wrong.status).toBe(401);
  });

  it("form-decodes the Basic credentials, as RFC 6749 2.3.1 requires", async () => {
    // Prepare
    const odd = await startOAuthServer({ clientId: "my client", clientSecret: "s:e+c%ret é" });
    const token = await odd.token();

    // Act
    const encoded = await introspect({ token }, { target: odd });
    const raw = await introspect(
      { token },
      { target: odd, authorization: `Basic ${Buffer.from("my client:s:e+c%ret é").toString("base64")}` },
    );
    await odd.stop();

    // Assess
    expect(encoded).toMatchObject({ status: 200, body: { active: true } });
    expect(raw.status).toBe(401);
  });

  it("answers 400 invalid_request when the token is missing or the body is not a form", async () => {
    // Prepare
    const token = await server.token();

    // Act
    const missing = await introspect({ token_type_hint: "access_token" });
    const notForm = await introspect({}, { contentType: "text/plain", body: `token=${token}` });

    // Assess
    expect(missing).toMatchObject({ status: 400, body: { error: "invalid_request" } });
    expect(notForm).toMatchObject({ status: 400, body: { error: "invalid_request" } });
  });

  it("fails the next introspections as told, before checking the client, then answers again", async () => {
    // Prepare
    const token = await server.token();
    server.failIntrospection(2, 429, 3);

    // Act
    const first = await introspect({ token }, { authorization: null });
    const second = await introspect({ token });
    const third = await introspect({ token });

    // Assess
    expect([first.status, second.status, third.status]).toEqual([429, 429, 200]);
    expect(first.headers.get("retry-after")).toBe("3");
    expect(first.body).toHaveProperty("error");
    expect(third.body.active).toBe(true);
    expect(server.introspectionCalls()).toBe(3);
  });

  it("injects other statuses, without Retry-After unless asked", async () => {
    // Prepare
    const token = await server.token();
    server.failIntrospection(1, 503);

    // Act
    const answer = await introspect({ token });

    // Assess
    expect(answer.status).toBe(503);
    expect(answer.headers.get("retry-after")).toBeNull();
  });

  it("counts every introspection request, refused ones included, until reset", async () => {
    // Prepare
    const token = await server.token();

    // Act
    await introspect({ token });
    await introspect({ token }, { authorization: null });
    await introspect({});
    const counted = server.introspectionCalls();
    server.resetCounts();

    // Assess
    expect(counted).toBe(3);
    expect(server.introspectionCalls()).toBe(0);
  });

  it("issues over HTTP client credentials tokens that carry the form's tenant and the client as subject", async () => {
    // Prepare
    const form = new URLSearchParams({
      grant_type: "client_credentials",
      scope: "messages:send messages:read",
      tenant: "acme",
      aud: "herald",
    });

    // Act
    const response = await fetch(server.tokenUrl, { method: "POST", headers: { authorization: basic("dev", "x") }, body: form });
    const issued = (await response.json()) as { access_token: string; token_type: string };
    const answer = await introspect({ token: issued.access_token });

    // Assess
    expect(response.status).toBe(200);
    expect(issued.token_type).toBe("Bearer");
    expect(answer.body).toMatchObject({
      active: true,
      iss: server.issuer,
      sub: "dev",
      client_id: "dev",
      tenant: "acme",
      aud: "herald",
      scope: "messages:send messages:read",
    });
  });

  it("defaults the tenant of HTTP tokens and takes an explicit subject over the client", async () => {
    // Prepare
    const form = new URLSearchParams({ grant_type: "client_credentials", client_id: "cli", sub: "someone", tenant: "t".repeat(201) });

    // Act
    const response = await fetch(server.tokenUrl, { method: "POST", body: form });
    const { access_token } = (await response.json()) as { access_token: string };
    const answer = await introspect({ token: access_token });

    // Assess
    expect(answer.body).toMatchObject({ active: true, sub: "someone", client_id: "cli", tenant: "tenant-a" });
  });

  it("serves the issuer's discovery document and keys", async () => {
    // Act
    const discovery = (await (await fetch(`${server.url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    const jwks = (await (await fetch(`${server.url}/jwks`)).json()) as { keys: Array<Record<string, unknown>> };

    // Assess
    expect(discovery).toMatchObject({ issuer: server.issuer, token_endpoint: server.tokenUrl, introspection_endpoint: server.introspectionUrl });
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: "RSA", alg: "RS256" });
    expect(jwks.keys[0]).not.toHaveProperty("d");
  });

  it("keeps the mock's always-active introspection unreachable, whatever the path's case or trailing slash", async () => {
    // Prepare
    const body = new URLSearchParams({ token: "not-a-jwt" });
    const authorization = basic(server.clientId, server.clientSecret);

    // Act
    const answers = await Promise.all(
      [`${server.url}/INTROSPECT`, `${server.url}/introspect/`].map(async (url) => {
        const response = await fetch(url, { method: "POST", headers: { authorization }, body });
        return response.json();
      }),
    );

    // Assess
    expect(answers).toEqual([{ active: false }, { active: false }]);
  });

  it("refuses connections once stopped", async () => {
    // Prepare
    const stopped = await startOAuthServer();
    await fetch(`${stopped.url}/jwks`);

    // Act
    await stopped.stop();

    // Assess
    await expect(fetch(`${stopped.url}/jwks`)).rejects.toThrow();
  });
});
