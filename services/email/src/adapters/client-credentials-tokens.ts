import * as oauth from "oauth4webapi";
import { TransientError, valueAfterRefusal, type Clock, type Secret } from "@herald/platform";

export type ClientCredentialsOptions = {
  tokenUrl: string;
  clientId: string;
  clientSecret: Secret;
  scope?: string | undefined;
  timeoutMs: number;
  clock: Clock;
};

/** Lifetime assumed when the token endpoint does not say (`expires_in` is only RECOMMENDED). */
const UNSTATED_LIFETIME_SECONDS = 300;
/** A token is replaced this long before it runs out (at most a tenth of its lifetime). */
const REFRESH_MARGIN_SECONDS = 60;

type Cached = { token: string; refreshAt: number };

/**
 * Access tokens from an OAuth 2.0 client-credentials grant (RFC 6749 §4.4), for XOAUTH2. A token
 * is reused until shortly before its `expires_in` runs out and fetched again on the next use, so
 * no restart is ever needed; concurrent callers share one request. oauth4webapi builds the request
 * (HTTP Basic client authentication) and checks the answer; it never follows a redirect.
 */
export class ClientCredentialsTokens {
  readonly #as: oauth.AuthorizationServer;
  readonly #client: oauth.Client;
  readonly #options: ClientCredentialsOptions;
  readonly #insecure: boolean;
  #cached: Cached | undefined;
  #inFlight: Promise<string> | undefined;

  constructor(options: ClientCredentialsOptions) {
    const url = new URL(options.tokenUrl);
    this.#as = { issuer: url.origin, token_endpoint: url.href };
    this.#client = { client_id: options.clientId };
    this.#options = options;
    // Config allows plain http for loopback only (a local OAuth server).
    this.#insecure = url.protocol === "http:";
  }

  /** A token that is not about to expire: the cached one, or a fresh one. */
  async get(): Promise<string> {
    const cached = this.#cached;
    if (cached && this.#options.clock.now().getTime() < cached.refreshAt) return cached.token;
    this.#inFlight ??= this.#fetch().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  /** The relay refused this token: forget it, so the next `get` fetches another. */
  invalidate(token: string): void {
    if (this.#cached?.token === token) this.#cached = undefined;
  }

  async #fetch(): Promise<string> {
    const secret = this.#options.clientSecret;
    const used = await secret.value();
    let answer: oauth.TokenEndpointResponse;
    try {
      answer = await this.#request(used);
    } catch (error) {
      if (!isClientRefused(error)) throw tokenError(error);
      // The client secret may have just been rotated: read it again, once.
      const fresh = await valueAfterRefusal(secret, used);
      if (fresh === undefined) throw tokenError(error);
      try {
        answer = await this.#request(fresh);
      } catch (again) {
        throw tokenError(again);
      }
    }
    const lifetime = answer.expires_in ?? UNSTATED_LIFETIME_SECONDS;
    const margin = Math.min(REFRESH_MARGIN_SECONDS, lifetime / 10);
    this.#cached = { token: answer.access_token, refreshAt: this.#options.clock.now().getTime() + (lifetime - margin) * 1000 };
    return answer.access_token;
  }

  async #request(secret: string): Promise<oauth.TokenEndpointResponse> {
    const parameters = new URLSearchParams(this.#options.scope ? { scope: this.#options.scope } : {});
    const response = await oauth.clientCredentialsGrantRequest(this.#as, this.#client, oauth.ClientSecretBasic(secret), parameters, {
      signal: AbortSignal.timeout(this.#options.timeoutMs),
      [oauth.allowInsecureRequests]: this.#insecure,
    });
    return oauth.processClientCredentialsResponse(this.#as, this.#client, response);
  }
}

/** invalid_client (a wrong or rotated secret) or a bare 401: worth one more try with the secret read again. */
function isClientRefused(error: unknown): boolean {
  if (error instanceof oauth.ResponseBodyError) return error.error === "invalid_client" || error.status === 401;
  return error instanceof oauth.WWWAuthenticateChallengeError && error.status === 401;
}

/**
 * Every failure is transient for the message: a wrong client setting is fixed by the operator and
 * the message redriven from the dead-letter queue, not dropped. Reasons carry the OAuth error
 * code and HTTP status only, never a body (it may echo a credential).
 */
function tokenError(error: unknown): TransientError {
  if (error instanceof TransientError) return error;
  if (error instanceof oauth.ResponseBodyError || error instanceof oauth.WWWAuthenticateChallengeError) {
    const status = error.status;
    // RFC 6749 §5.2: a 401 with a WWW-Authenticate challenge is how a server says invalid_client.
    const code =
      error instanceof oauth.ResponseBodyError
        ? error.error
        : (error.cause[0]?.parameters.error ?? (status === 401 ? "invalid_client" : "challenge"));
    if (status === 429 || status >= 500) {
      return new TransientError("email.smtp_oauth_unavailable", `The OAuth token endpoint is not answering (HTTP ${status})`, error);
    }
    return new TransientError("email.smtp_oauth_refused", `The OAuth token endpoint refused Herald's client credentials (${code}, HTTP ${status})`, error);
  }
  if (error instanceof oauth.OperationProcessingError) {
    const status = error.cause instanceof Response ? ` (HTTP ${error.cause.status})` : "";
    return new TransientError("email.smtp_oauth_unavailable", `The OAuth token endpoint gave no usable token${status}`, error);
  }
  const name = error instanceof Error ? error.name : "Error";
  return new TransientError(
    "email.smtp_oauth_unavailable",
    name === "TimeoutError" ? "The OAuth token endpoint did not answer in time" : `Could not reach the OAuth token endpoint (${name})`,
    error,
  );
}
