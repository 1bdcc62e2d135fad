import * as z from "zod";
import { env, type Issue } from "./env";
import { SecretSettingEnv, type SecretSetting } from "./secrets";

/** Hosts for which plain http is tolerated: a local OAuth server during development and tests. */
const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** An OAuth endpoint the service sends a client secret to: https, or plain http to a loopback host. */
export const OAuthEndpointUrl = z
  .url({ error: "must be a URL" })
  .refine((value) => {
    const url = new URL(value);
    return url.protocol === "https:" || (url.protocol === "http:" && LOOPBACK.has(url.hostname));
  }, "must be https (plain http only for localhost)");

const ClaimName = z.string().trim().min(1).max(200).regex(/^[^\s]+$/, "must be one claim name");

/**
 * `HERALD_OAUTH_AUDIENCE=*`: the operator's explicit choice to accept a token whatever its `aud`
 * (a provider that puts none in its tokens). Without it an audience is required, since a provider
 * answers `active` for every token it issued, including those minted for other APIs.
 */
export const ANY_AUDIENCE = "*";

/** The introspection cache's TTL when neither it nor API Gateway's (below) is given. */
const DEFAULT_CACHE_TTL = 300;

/** OAuth 2.0 bearer tokens by RFC 7662 introspection (packages/auth), off without the URL. */
export const OAuthEnv = z.object({
  HERALD_OAUTH_INTROSPECTION_URL: OAuthEndpointUrl.optional(),
  HERALD_OAUTH_CLIENT_ID: z.string().trim().optional(),
  /** The secret itself (local runs), or `secretsmanager:<name or ARN>` (AWS): read when introspecting. */
  HERALD_OAUTH_CLIENT_SECRET: SecretSettingEnv,
  /** When set, the introspected `iss` must equal it. */
  HERALD_OAUTH_ISSUER: z.string().trim().optional(),
  /** Required with the URL: the token's `aud` must name one of these; `*` alone accepts any. */
  HERALD_OAUTH_AUDIENCE: env.list(),
  /** The claim holding roles: a space-separated string (`scope`) or an array of strings. */
  HERALD_OAUTH_ROLES_CLAIM: ClaimName.default("scope"),
  HERALD_OAUTH_TENANT_CLAIM: ClaimName.default("tenant"),
  /**
   * The longest an introspection answer is reused (never past the token's `exp`); 0: ask for every
   * request. Unset, it follows HERALD_AUTHORIZER_CACHE_TTL at deploy (oauthSettings), else 300.
   */
  HERALD_OAUTH_CACHE_TTL: env.optionalInt(0, 3600),
  /** How long a rejected token is remembered, so a bad token cannot hammer the provider. */
  HERALD_OAUTH_NEGATIVE_CACHE_TTL: env.int(10, 0, 300),
  /** Per attempt. With the default retries the worst case is 3 × 2 s + 2 × 1 s wait = 8 s, inside
   *  the AWS authorizer's 10 s timeout. A 401 adds one attempt with the client secret read again
   *  (a rotation); the provider has just answered then, so that one is normally quick. */
  HERALD_OAUTH_TIMEOUT_MS: env.int(2000, 100, 30_000),
  /** Further attempts after a 429, 5xx, timeout or network error. */
  HERALD_OAUTH_RETRIES: env.int(2, 0, 5),
});
export type OAuthEnv = z.infer<typeof OAuthEnv>;

/**
 * With the introspection URL, Herald's client credentials at the identity provider and the
 * audience its tokens must carry (or the explicit `*`).
 */
export function oauthIssues(e: OAuthEnv): Issue[] {
  if (e.HERALD_OAUTH_INTROSPECTION_URL === undefined) return [];
  const issues: Issue[] = (["HERALD_OAUTH_CLIENT_ID", "HERALD_OAUTH_CLIENT_SECRET"] as const)
    .filter((name) => !e[name])
    .map((name) => ({ path: name, message: "is required when HERALD_OAUTH_INTROSPECTION_URL is set" }));
  const audiences = e.HERALD_OAUTH_AUDIENCE;
  if (audiences.length === 0) {
    issues.push({
      path: "HERALD_OAUTH_AUDIENCE",
      message:
        "is required when HERALD_OAUTH_INTROSPECTION_URL is set: the audience Herald's tokens carry (aud), " +
        `or ${ANY_AUDIENCE} to accept tokens for any audience`,
    });
  } else if (audiences.includes(ANY_AUDIENCE) && audiences.length > 1) {
    issues.push({ path: "HERALD_OAUTH_AUDIENCE", message: `${ANY_AUDIENCE} (any audience) cannot be combined with named audiences` });
  }
  return issues;
}

/** Whether these settings accept a token whatever its `aud` (HERALD_OAUTH_AUDIENCE=*). */
export function acceptsAnyAudience(settings: Pick<OAuthSettings, "audiences">): boolean {
  return settings.audiences.includes(ANY_AUDIENCE);
}

/**
 * API Gateway's cache of the authorizer's answers, an infra setting (infra/deploy-config.ts): in
 * the deploy environment oauthSettings is given it, so lowering it lowers Herald's introspection
 * cache with it (a revoked token passes for at most the two TTLs together).
 */
type AuthorizerCacheEnv = { HERALD_AUTHORIZER_CACHE_TTL?: number };

export type OAuthSettings = {
  introspectionUrl: string;
  clientId: string;
  /** Where the secret is (or the secret itself): the service turns it into a Secret (createSecrets). */
  clientSecret: SecretSetting;
  issuer: string | undefined;
  /** As given: never empty; `["*"]` accepts any audience (acceptsAnyAudience). */
  audiences: string[];
  rolesClaim: string;
  tenantClaim: string;
  cacheTtlSeconds: number;
  negativeCacheTtlSeconds: number;
  timeoutMs: number;
  retries: number;
};

/** OAuth 2.0 bearer tokens are accepted only when an introspection endpoint is configured. */
export function oauthSettings(e: OAuthEnv & AuthorizerCacheEnv): OAuthSettings | undefined {
  if (e.HERALD_OAUTH_INTROSPECTION_URL === undefined) return undefined;
  const { HERALD_OAUTH_CLIENT_ID: clientId, HERALD_OAUTH_CLIENT_SECRET: clientSecret } = e;
  // oauthIssues has made sure of both; this only narrows their types.
  if (!clientId || clientSecret === undefined) throw new Error("unreachable: OAuth client credentials unchecked");
  return {
    introspectionUrl: e.HERALD_OAUTH_INTROSPECTION_URL,
    clientId,
    clientSecret,
    issuer: e.HERALD_OAUTH_ISSUER || undefined,
    audiences: e.HERALD_OAUTH_AUDIENCE,
    rolesClaim: e.HERALD_OAUTH_ROLES_CLAIM,
    tenantClaim: e.HERALD_OAUTH_TENANT_CLAIM,
    cacheTtlSeconds: e.HERALD_OAUTH_CACHE_TTL ?? e.HERALD_AUTHORIZER_CACHE_TTL ?? DEFAULT_CACHE_TTL,
    negativeCacheTtlSeconds: e.HERALD_OAUTH_NEGATIVE_CACHE_TTL,
    timeoutMs: e.HERALD_OAUTH_TIMEOUT_MS,
    retries: e.HERALD_OAUTH_RETRIES,
  };
}
