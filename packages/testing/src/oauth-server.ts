import { createHash, randomUUID, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createLocalJWKSet, jwtVerify, type JWTPayload } from "jose";
import { Events, OAuth2Issuer, OAuth2Service, type MutableToken, type TokenRequestIncomingMessage } from "oauth2-mock-server";

export type OAuthServerOptions = { host?: string; port?: number; clientId?: string; clientSecret?: string };

export type TokenOptions = {
  sub?: string;
  username?: string;
  tenant?: string;
  scope?: string | string[];
  roles?: string[];
  aud?: string | string[];
  /** Seconds from now; negative for a token that has already expired. */
  expiresIn?: number;
  /** Merged last, so they can override any claim above (`iss`, `nbf`, ...). */
  claims?: Record<string, unknown>;
};

export type OAuthServer = {
  /** The issuer's base URL, also the `iss` of every token. */
  url: string;
  issuer: string;
  introspectionUrl: string;
  tokenUrl: string;
  /** The credentials the resource server (Herald) introspects with. */
  clientId: string;
  clientSecret: string;
  /** A signed RS256 JWT access token, built in process (no HTTP). */
  token(options?: TokenOptions): Promise<string>;
  /** POST /introspect requests received, whatever they were answered. */
  introspectionCalls(): number;
  resetCounts(): void;
  /** The next `times` introspection requests answer `status` (before any authentication). */
  failIntrospection(times: number, status?: number, retryAfterSeconds?: number): void;
  /** Introspecting this token answers `{active:false}` from now on. */
  revoke(token: string): void;
  stop(): Promise<void>;
};

const DEFAULT_CLIENT_ID = "herald";
const DEFAULT_CLIENT_SECRET = "herald-introspection-secret";
const DEFAULT_SUB = "user-1";
const DEFAULT_TENANT = "tenant-a";
const DEFAULT_AUDIENCE = "herald";
const DEFAULT_LIFETIME_SECONDS = 3600;
const MAX_BODY_BYTES = 64 * 1024;
const MAX_TOKEN_FIELD_LENGTH = 200;
/** Express routes case-insensitively and ignores a trailing slash: all of these must stay ours. */
const INTROSPECT_PATH = /^\/introspect\/?$/i;

/**
 * A real OAuth 2.0 server on loopback for tests and local development. oauth2-mock-server signs
 * the tokens and serves /token, /jwks and discovery; introspection (RFC 7662) is answered here,
 * because the mock's own /introspect says `{active:true}` to anything and reads no form body.
 */
export async function startOAuthServer(options: OAuthServerOptions = {}): Promise<OAuthServer> {
  const host = options.host ?? "127.0.0.1";
  const client = { id: options.clientId ?? DEFAULT_CLIENT_ID, secret: options.clientSecret ?? DEFAULT_CLIENT_SECRET };
  const issuer = new OAuth2Issuer();
  await issuer.keys.generate("RS256");
  // The keys never change after start, so a local set is enough (no fetch of our own /jwks).
  const keys = createLocalJWKSet({ keys: issuer.keys.toJSON() });
  const service = new OAuth2Service(issuer);
  service.on(Events.BeforeTokenSigning, shapeClientCredentialsToken);

  let calls = 0;
  let failures = { remaining: 0, status: 429, retryAfterSeconds: undefined as number | undefined };
  const revoked = new Set<string>();
  let url = "";

  async function activeClaims(token: string): Promise<JWTPayload | undefined> {
    if (revoked.has(token)) return undefined;
    try {
      const { payload } = await jwtVerify(token, keys, { issuer: url, algorithms: ["RS256"] });
      return payload;
    } catch {
      return undefined;
    }
  }

  async function introspect(req: IncomingMessage, res: ServerResponse): Promise<void> {
    calls += 1;
    if (failures.remaining > 0) {
      failures.remaining -= 1;
      req.resume();
      const retryAfter = failures.retryAfterSeconds;
      sendJson(res, failures.status, { error: "temporarily_unavailable", error_description: "injected failure" }, {
        ...(retryAfter !== undefined && { "retry-after": String(retryAfter) }),
      });
      return;
    }
    const body = await readBody(req);
    if (body === undefined) return sendJson(res, 413, { error: "invalid_request", error_description: "body too large" });
    const form = isFormEncoded(req.headers["content-type"]) ? new URLSearchParams(body) : undefined;
    const presented = presentedCredentials(req.headers.authorization, form);
    if (!presented || !safeEqual(presented.id, client.id) || !safeEqual(presented.secret, client.secret)) {
      return sendJson(res, 401, { error: "invalid_client" }, { "www-authenticate": 'Basic realm="introspection"' });
    }
    const tokens = form?.getAll("token") ?? [];
    const token = tokens.length === 1 ? tokens[0] : undefined;
    if (!token) return sendJson(res, 400, { error: "invalid_request", error_description: "one token parameter is required" });
    const claims = await activeClaims(token);
    // The token's own `client_id` claim, when it has one, comes through with the others.
    sendJson(res, 200, claims ? { ...claims, active: true, token_type: "Bearer" } : { active: false });
  }

  const server = createServer((req, res) => {
    if (!INTROSPECT_PATH.test(new URL(req.url ?? "/", "http://localhost").pathname)) {
      service.requestHandler(req, res);
      return;
    }
    if (req.method !== "POST") {
      req.resume();
      return sendJson(res, 405, { error: "invalid_request" }, { allow: "POST" });
    }
    introspect(req, res).catch(() => {
      if (!res.headersSent) sendJson(res, 500, { error: "server_error" });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  url = `http://${urlHost(host)}:${(server.address() as AddressInfo).port}`;
  issuer.url = url;

  return {
    url,
    issuer: url,
    introspectionUrl: `${url}/introspect`,
    tokenUrl: `${url}/token`,
    clientId: client.id,
    clientSecret: client.secret,
    token: (tokenOptions = {}) => {
      const lifetime = tokenOptions.expiresIn ?? DEFAULT_LIFETIME_SECONDS;
      return issuer.buildToken({
        expiresIn: lifetime,
        scopesOrTransform: (_header, payload) => {
          if (lifetime <= 0) {
            // Issued a full lifetime before it expired, so iat < exp and nbf = iat - 10 as the mock does.
            payload.iat = payload.exp - DEFAULT_LIFETIME_SECONDS;
            payload.nbf = payload.iat - 10;
          }
          Object.assign(payload, tokenClaims(tokenOptions));
        },
      });
    },
    introspectionCalls: () => calls,
    resetCounts: () => {
      calls = 0;
    },
    failIntrospection: (times, status = 429, retryAfterSeconds) => {
      if (!Number.isInteger(times) || times < 0) throw new RangeError("times must be a non-negative integer");
      if (!Number.isInteger(status) || status < 400 || status > 599) throw new RangeError("status must be an HTTP error status");
      failures = { remaining: times, status, retryAfterSeconds };
    },
    revoke: (token) => {
      revoked.add(token);
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        if (!server.listening) return resolve();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function tokenClaims(options: TokenOptions): Record<string, unknown> {
  const claims: Record<string, unknown> = {
    sub: options.sub ?? DEFAULT_SUB,
    tenant: options.tenant ?? DEFAULT_TENANT,
    aud: options.aud ?? DEFAULT_AUDIENCE,
    // Without it two tokens asked for alike in the same second are the same string, and revoking one revokes both.
    jti: randomUUID(),
  };
  if (options.scope !== undefined) claims.scope = Array.isArray(options.scope) ? options.scope.join(" ") : options.scope;
  if (options.roles !== undefined) claims.roles = [...options.roles];
  if (options.username !== undefined) claims.username = options.username;
  return { ...claims, ...options.claims };
}

/**
 * `POST /token` with `grant_type=client_credentials` gives only `scope` and `aud`; Herald also
 * needs a subject and a tenant. Other grants are left as the mock makes them: their id_token
 * passes through here too, and its `aud` must stay the client.
 */
function shapeClientCredentialsToken(token: MutableToken, req: TokenRequestIncomingMessage): void {
  const body: Record<string, unknown> = { ...req.body };
  if (body.grant_type !== "client_credentials") return;
  const { payload } = token;
  for (const name of ["sub", "tenant", "aud"] as const) {
    const value = body[name];
    if (typeof value === "string" && value.length <= MAX_TOKEN_FIELD_LENGTH) payload[name] = value;
  }
  const bodyClientId = typeof body.client_id === "string" ? body.client_id : undefined;
  const clientId = basicCredentials(req.headers.authorization)?.id ?? bodyClientId;
  if (clientId !== undefined && clientId.length <= MAX_TOKEN_FIELD_LENGTH) {
    payload.sub ??= clientId;
    payload.client_id ??= clientId; // RFC 9068 §2.2: the client the token was issued to
  }
  payload.tenant ??= DEFAULT_TENANT;
  payload.jti ??= randomUUID();
}

type Credentials = { id: string; secret: string };

/** HTTP Basic when the request has an Authorization header (RFC 6749 §2.3.1), else the form body. */
function presentedCredentials(authorization: string | undefined, form: URLSearchParams | undefined): Credentials | undefined {
  if (authorization !== undefined) return basicCredentials(authorization);
  const id = form?.get("client_id");
  const secret = form?.get("client_secret");
  return typeof id === "string" && typeof secret === "string" ? { id, secret } : undefined;
}

/** Both halves are form-urlencoded before base64 (RFC 6749 §2.3.1), so "a+b" is "a b". */
function basicCredentials(authorization: string | undefined): Credentials | undefined {
  const encoded = /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i.exec(authorization ?? "")?.[1];
  if (encoded === undefined) return undefined;
  const decoded = Buffer.from(encoded, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  const id = formDecode(decoded.slice(0, colon));
  const secret = formDecode(decoded.slice(colon + 1));
  return id !== undefined && secret !== undefined ? { id, secret } : undefined;
}

function formDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value.replaceAll("+", " "));
  } catch {
    return undefined;
  }
}

function safeEqual(a: string, b: string): boolean {
  const digest = (value: string) => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(a), digest(b));
}

function isFormEncoded(contentType: string | undefined): boolean {
  return contentType?.split(";")[0]?.trim().toLowerCase() === "application/x-www-form-urlencoded";
}

/** The whole body as text, or undefined past MAX_BODY_BYTES (read to the end, so the connection stays usable). */
async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  }
  return size <= MAX_BODY_BYTES ? Buffer.concat(chunks).toString("utf8") : undefined;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", ...headers });
  res.end(JSON.stringify(body));
}

/** What a client dials: a wildcard bind is reached on loopback, and an IPv6 literal needs brackets. */
function urlHost(host: string): string {
  if (host === "0.0.0.0") return "127.0.0.1";
  if (host === "::") return "[::1]";
  return host.includes(":") ? `[${host}]` : host;
}
