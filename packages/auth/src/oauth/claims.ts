import { Identity, Role } from "@herald/contracts";
import { acceptsAnyAudience } from "@herald/settings";
import { API_KEY_PRINCIPAL_PREFIX } from "../api-keys";
import type { OAuthSettings } from "./settings";

/** The introspection answer as the provider gave it (RFC 7662 §2.2): `active` and the token's claims. */
export type IntrospectionAnswer = { active: boolean } & Record<string, unknown>;


export type ClaimSettings = Pick<OAuthSettings, "issuer" | "audiences" | "rolesClaim" | "tenantClaim">;

export type Verdict =
  | { ok: true; identity: Identity; /** epoch ms; undefined when the token has no `exp` */ expiresAt: number | undefined }
  | { ok: false; reason: string };

/**
 * Turns an introspection answer into who is calling, or says why the token is refused. Inactive,
 * expired, not-yet-valid, a refresh token, another issuer or audience, no subject, no tenant:
 * all refused (401). The audience is always checked (no audiences configured: every token is
 * refused) unless the settings say `*` (HERALD_OAUTH_AUDIENCE=*, the operator's explicit choice). Roles are the claim's values that name Herald roles; others (openid, ...)
 * are ignored, so a token with none of ours authenticates and then gets 403 per route.
 */
export function identityFromIntrospection(answer: IntrospectionAnswer, settings: ClaimSettings, nowMs: number): Verdict {
  if (answer.active !== true) return { ok: false, reason: "inactive" };
  const exp = numericDate(answer.exp);
  if (answer.exp !== undefined && exp === undefined) return { ok: false, reason: "malformed exp" };
  if (exp !== undefined && exp * 1000 <= nowMs) return { ok: false, reason: "expired" };
  const nbf = numericDate(answer.nbf);
  // A minute of leeway for clock skew between us and the provider.
  if (nbf !== undefined && nbf * 1000 > nowMs + 60_000) return { ok: false, reason: "not yet valid" };
  if (typeof answer.token_type === "string" && !["bearer", "access_token"].includes(answer.token_type.toLowerCase())) {
    return { ok: false, reason: "not an access token" };
  }
  if (settings.issuer !== undefined && answer.iss !== settings.issuer) return { ok: false, reason: "wrong issuer" };
  if (!acceptsAnyAudience(settings)) {
    const aud = typeof answer.aud === "string" ? [answer.aud] : Array.isArray(answer.aud) ? answer.aud : [];
    if (!aud.some((a) => typeof a === "string" && settings.audiences.includes(a))) return { ok: false, reason: "wrong audience" };
  }
  const principal = nonEmpty(answer.sub) ?? nonEmpty(answer.username);
  if (principal === undefined) return { ok: false, reason: "no subject" };
  // API keys' namespace (api-keys.ts): a token for subject key:x would act as the key named x.
  if (principal.startsWith(API_KEY_PRINCIPAL_PREFIX)) return { ok: false, reason: "reserved subject" };
  const tenant = nonEmpty(answer[settings.tenantClaim]);
  if (tenant === undefined) return { ok: false, reason: "no tenant" };

  const parsed = Identity.safeParse({ principal, tenant, roles: rolesFrom(answer[settings.rolesClaim]) });
  if (!parsed.success) return { ok: false, reason: "subject or tenant out of bounds" };
  return { ok: true, identity: parsed.data, expiresAt: exp === undefined ? undefined : exp * 1000 };
}

/** A space-separated string (OAuth `scope`) or an array of strings; only Herald's roles are kept. */
export function rolesFrom(claim: unknown): Role[] {
  const values = typeof claim === "string" ? claim.split(/\s+/) : Array.isArray(claim) ? claim : [];
  const roles = new Set<Role>();
  for (const value of values) {
    const role = Role.safeParse(value);
    if (role.success) roles.add(role.data);
  }
  return [...roles];
}

function numericDate(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value : undefined;
}
