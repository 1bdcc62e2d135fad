import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { Events, type MutableResponse, type MutableToken, type OAuth2Service, type TokenRequestIncomingMessage } from "oauth2-mock-server";
import { assertErrorStatus, basicCredentials, isFormEncoded, presentedCredentials, sendJson } from "./oauth-http";
import { safeEqual } from "./safe-equal";

export type ClientCredentialsOptions = {
  /**
   * When set, `grant_type=client_credentials` needs one of these clients (HTTP Basic per RFC 6749
   * §2.3.1, or client_id/client_secret in the form), else 401 invalid_client. Unset: any client.
   */
  clients?: Record<string, string>;
  /** The real lifetime of a client-credentials token (`exp - iat`), default 3600. */
  lifetimeSeconds?: number;
  /** What `expires_in` says, when it should lie about the lifetime; default `lifetimeSeconds`. */
  advertisedExpiresIn?: number;
};

/** Internal to the OAuth 2.0 server: what it adds to the mock's POST /token. */
export type TokenEndpoint = {
  /** Counts a POST /token and answers it when a failure is due; false leaves it to the mock. */
  intercept(req: IncomingMessage, res: ServerResponse): boolean;
  requests(): number;
  fail(times: number, status: number): void;
  setClientSecret(clientId: string, secret: string): void;
  resetCounts(): void;
};

const DEFAULT_LIFETIME_SECONDS = 3600;
const DEFAULT_TENANT = "tenant-a";
const MAX_TOKEN_FIELD_LENGTH = 200;
/** Express routes case-insensitively and ignores a trailing slash: all of these reach the mock's /token. */
const TOKEN_PATH = /^\/token\/?$/i;

/**
 * The mock signs and answers; this counts and fails requests before it sees them, and shapes its
 * client-credentials answers through its events: client authentication, lifetime, `expires_in`.
 */
export function createTokenEndpoint(service: OAuth2Service, options: ClientCredentialsOptions = {}): TokenEndpoint {
  const lifetime = options.lifetimeSeconds ?? DEFAULT_LIFETIME_SECONDS;
  const advertised = options.advertisedExpiresIn ?? lifetime;
  if (!Number.isInteger(lifetime) || lifetime <= 0) throw new RangeError("lifetimeSeconds must be a positive integer");
  if (!Number.isInteger(advertised) || advertised < 0) throw new RangeError("advertisedExpiresIn must be a non-negative integer");
  const clients = options.clients ? new Map(Object.entries(options.clients)) : undefined;
  // The mock's events get the request but not the response, which the 401's challenge needs.
  const responses = new WeakMap<IncomingMessage, ServerResponse>();
  let count = 0;
  let failures = { remaining: 0, status: 503 };

  service.on(Events.BeforeTokenSigning, (token: MutableToken, req: TokenRequestIncomingMessage) => {
    if (req.body.grant_type !== "client_credentials") return;
    shapeClientCredentialsToken(token, req);
    token.payload.exp = token.payload.iat + lifetime;
  });

  service.on(Events.BeforeResponse, (response: MutableResponse, req: TokenRequestIncomingMessage) => {
    if (req.body.grant_type !== "client_credentials" || response.statusCode !== 200) return;
    // The mock has signed a token already; it is dropped here and never leaves.
    if (clients && !knownClient(clients, req)) {
      response.statusCode = 401;
      response.body = { error: "invalid_client" };
      responses.get(req)?.setHeader("www-authenticate", 'Basic realm="token"');
      return;
    }
    if (typeof response.body === "object") response.body.expires_in = advertised;
  });

  return {
    intercept: (req, res) => {
      if (req.method !== "POST" || !TOKEN_PATH.test(new URL(req.url ?? "/", "http://localhost").pathname)) return false;
      count += 1;
      if (failures.remaining <= 0) {
        responses.set(req, res);
        return false;
      }
      failures.remaining -= 1;
      req.resume();
      sendJson(res, failures.status, { error: "temporarily_unavailable", error_description: "injected failure" });
      return true;
    },
    requests: () => count,
    fail: (times, status) => {
      assertErrorStatus(times, status);
      failures = { remaining: times, status };
    },
    setClientSecret: (clientId, secret) => {
      if (!clients) throw new Error("oauth: setClientSecret needs clientCredentials.clients");
      clients.set(clientId, secret);
    },
    resetCounts: () => {
      count = 0;
    },
  };
}

function knownClient(clients: Map<string, string>, req: TokenRequestIncomingMessage): boolean {
  const presented = presentedCredentials(req.headers.authorization, formOf(req));
  if (!presented) return false;
  const secret = clients.get(presented.id);
  return secret !== undefined && safeEqual(presented.secret, secret);
}

/** The parsed body as the form it came as; credentials in a JSON body do not count (RFC 6749 §2.3.1). */
function formOf(req: TokenRequestIncomingMessage): URLSearchParams | undefined {
  if (!isFormEncoded(req.headers["content-type"])) return undefined;
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(req.body)) {
    for (const item of [value].flat()) if (typeof item === "string") form.append(name, item);
  }
  return form;
}

/**
 * `POST /token` with `grant_type=client_credentials` gives only `scope` and `aud`; Herald also
 * needs a subject and a tenant. Other grants are left as the mock makes them: their id_token
 * passes through the same event, and its `aud` must stay the client.
 */
function shapeClientCredentialsToken(token: MutableToken, req: TokenRequestIncomingMessage): void {
  const body: Record<string, unknown> = { ...req.body };
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
