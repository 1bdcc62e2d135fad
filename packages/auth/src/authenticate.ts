import type { Identity } from "@herald/contracts";
import { UnauthorizedError } from "@herald/platform";
import { apiKeyPrincipal, hashApiKey, looksLikeApiKey, type ApiKeyStore } from "./api-keys";

export type HeaderReader = { get(name: string): string | null | undefined };

export type CredentialSources = {
  /**
   * Read only `Authorization`. The AWS authorizer must: API Gateway caches its answer by the
   * Authorization header alone, so a credential from any other header could be cached under
   * (and later served to) whatever Authorization value came with it.
   */
  authorizationOnly?: boolean;
};

/**
 * The credential a request carries: `x-api-key` (as API Gateway does) or `Authorization: Bearer`.
 * Two different credentials in one request are refused rather than one silently preferred.
 */
export function credentialOf(headers: HeaderReader, sources: CredentialSources = {}): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.get("authorization") ?? "");
  const bearer = match?.[1];
  if (sources.authorizationOnly) return bearer;
  const apiKey = headers.get("x-api-key")?.trim() || undefined;
  if (apiKey !== undefined && bearer !== undefined && apiKey !== bearer) {
    throw new UnauthorizedError("Send one credential: x-api-key or Authorization: Bearer, not both", "invalid_request");
  }
  return apiKey ?? bearer;
}

/** Who a bearer token belongs to, and until when (an OAuth 2.0 verifier: @herald/auth/oauth). */
export type VerifiedToken = { identity: Identity; /** epoch ms: the token's `exp`; undefined when it has none */ expiresAt: number | undefined };
export type TokenVerifier = (token: string) => Promise<VerifiedToken>;

export type Authenticated = {
  identity: Identity;
  method: "api_key" | "oauth";
  /** epoch ms after which the credential is no longer valid; undefined for API keys (until revoked) and tokens without `exp` */
  expiresAt: number | undefined;
};

export type Authenticator = (headers: HeaderReader) => Promise<Authenticated>;

export type AuthenticatorDeps = {
  apiKeys: ApiKeyStore;
  /** OAuth 2.0 bearer tokens are accepted only when this is given. */
  verifyToken?: TokenVerifier;
} & CredentialSources;

/**
 * The one authentication used by the local middleware and by the AWS Lambda authorizer: an API
 * key (`hk_...`) is looked up by its hash; any other bearer token is introspected. Throws
 * UnauthorizedError (401), or a 503 when the identity provider cannot answer.
 */
export function createAuthenticator(deps: AuthenticatorDeps): Authenticator {
  return async (headers) => {
    const credential = credentialOf(headers, deps);
    if (!credential) {
      throw new UnauthorizedError(
        deps.authorizationOnly ? "Missing credentials: send Authorization: Bearer" : "Missing credentials: send x-api-key or Authorization: Bearer",
      );
    }
    if (looksLikeApiKey(credential)) {
      const record = await deps.apiKeys.findByHash(hashApiKey(credential));
      if (!record || record.revoked_at) throw new UnauthorizedError("Invalid credentials");
      // Namespaced here too, for keys stored before createApiKey namespaced their principals.
      const identity = { principal: apiKeyPrincipal(record.principal), tenant: record.tenant, roles: record.roles };
      return { identity, method: "api_key", expiresAt: undefined };
    }
    if (!deps.verifyToken) throw new UnauthorizedError("Invalid credentials");
    const { identity, expiresAt } = await deps.verifyToken(credential);
    return { identity, method: "oauth", expiresAt };
  };
}
