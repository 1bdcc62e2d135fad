import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createLocalJWKSet, jwtVerify, type JWTPayload } from "jose";
import { OAuth2Issuer, OAuth2Service } from "oauth2-mock-server";
import { assertErrorStatus, isFormEncoded, presentedCredentials, readBody, sendJson } from "./oauth-http";
import { createTokenEndpoint, type ClientCredentialsOptions } from "./oauth-token-endpoint";
import { safeEqual } from "./safe-equal";

export type { ClientCredentialsOptions } from "./oauth-token-endpoint";

export type OAuthServerOptions = {
  host?: string;
  port?: number;
  /** The credentials the resource server introspects with. */
  clientId?: string;
  clientSecret?: string;
  /** POST /token with `grant_type=client_credentials`: which clients, and the tokens' lifetime. */
  clientCredentials?: ClientCredentialsOptions;
};

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
  /** POST /token requests received, whatever they were answered. */
  tokenRequests(): number;
  /** Zeroes both counts. */
  resetCounts(): void;
  /** The next `times` introspection requests answer `status` (before any authentication). */
  failIntrospection(times: number, status?: number, retryAfterSeconds?: number): void;
  /** Introspecting this token answers `{active:false}` from now on. */
  revoke(token: string): void;
  /** The next `times` token requests answer `status` (default 503) `{"error":"temporarily_unavailable"}`. */
  failTokenRequests(times: number, status?: number): void;
  /** Rotates (or adds) a client of `clientCredentials.clients`; throws on a server that takes any client. */
  setClientSecret(clientId: string, secret: string): void;
  stop(): Promise<void>;
};

const DEFAULT_CLIENT_ID = "herald";
const DEFAULT_CLIENT_SECRET = "herald-introspection-secret";
const DEFAULT_SUB = "user-1";
const DEFAULT_TENANT = "tenant-a";
const DEFAULT_AUDIENCE = "herald";
const DEFAULT_LIFETIME_SECONDS = 3600;
/** Express routes case-insensitively and ignores a trailing slash: all of these must stay ours. */
const INTROSPECT_PATH = /^\/introspect\/?$/i;

/**
 * A real OAuth 2.0 server on loopback for tests and local development. oauth2-mock-server signs
 * the tokens and serves /token, /jwks and discovery; introspection (RFC 7662) is answered here,
 * because the mock's own /introspect says `{active:true}` to anything and reads no form body.
 * The mock's /token takes any client; `clientCredentials.clients` makes it check them.
 */
export async function startOAuthServer(options: OAuthServerOptions = {}): Promise<OAuthServer> {
  const host = options.host ?? "127.0.0.1";
  const client = { id: options.clientId ?? DEFAULT_CLIENT_ID, secret: options.clientSecret ?? DEFAULT_CLIENT_SECRET };
  const issuer = new OAuth2Issuer();
  await issuer.keys.generate("RS256");
  // The keys never change after start, so a local set is enough (no fetch of our own /jwks).
  const keys = createLocalJWKSet({ keys: issuer.keys.toJSON() });
  const service = new OAuth2Service(issuer);
  const tokenEndpoint = createTokenEndpoint(service, options.clientCredentials);

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
    if (tokenEndpoint.intercept(req, res)) return;
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
    tokenRequests: () => tokenEndpoint.requests(),
    resetCounts: () => {
      calls = 0;
      tokenEndpoint.resetCounts();
    },
    failIntrospection: (times, status = 429, retryAfterSeconds) => {
      assertErrorStatus(times, status);
      failures = { remaining: times, status, retryAfterSeconds };
    },
    revoke: (token) => {
      revoked.add(token);
    },
    failTokenRequests: (times, status = 503) => tokenEndpoint.fail(times, status),
    setClientSecret: (clientId, secret) => tokenEndpoint.setClientSecret(clientId, secret),
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

/** What a client dials: a wildcard bind is reached on loopback, and an IPv6 literal needs brackets. */
function urlHost(host: string): string {
  if (host === "0.0.0.0") return "127.0.0.1";
  if (host === "::") return "[::1]";
  return host.includes(":") ? `[${host}]` : host;
}
