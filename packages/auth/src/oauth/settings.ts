import { addIssues, OAuthEnv, oauthIssues, oauthSettings, parseEnv, type OAuthSettings } from "@herald/settings";

export type { OAuthSettings } from "@herald/settings";

// The schema and its rules are @herald/settings', where infra judges the same variables.
const CheckedOAuthEnv = OAuthEnv.superRefine(addIssues(oauthIssues));

/** OAuth 2.0 bearer tokens are accepted only when an introspection endpoint is configured. */
export function loadOAuthSettings(source: Record<string, string | undefined>): OAuthSettings | undefined {
  return oauthSettings(parseEnv(CheckedOAuthEnv, source));
}
