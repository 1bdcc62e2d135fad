import type { Identity } from "@herald/contracts";
import { UnauthorizedError } from "@herald/platform";
import { hashApiKey, looksLikeApiKey, type ApiKeyStore } from "./api-keys";

export type HeaderReader = { get(name: string): string | null | undefined };

/** The credential a request carries: `x-api-key` (as API Gateway does) or `Authorization: Bearer`. */
export function credentialOf(headers: HeaderReader): string | undefined {
  const apiKey = headers.get("x-api-key")?.trim();
  if (apiKey) return apiKey;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.get("authorization") ?? "");
  return match?.[1];
}

export type Authenticator = (headers: HeaderReader) => Promise<Identity>;

/** Resolves a request's credential to its identity, or throws UnauthorizedError (401). */
export function createAuthenticator(deps: { apiKeys: ApiKeyStore }): Authenticator {
  return async (headers) => {
    const credential = credentialOf(headers);
    if (!credential) throw new UnauthorizedError("Missing credentials: send x-api-key or Authorization: Bearer");
    if (!looksLikeApiKey(credential)) throw new UnauthorizedError("Invalid credentials");
    const record = await deps.apiKeys.findByHash(hashApiKey(credential));
    if (!record || record.revoked_at) throw new UnauthorizedError("Invalid credentials");
    return { principal: record.principal, tenant: record.tenant, roles: record.roles };
  };
}
