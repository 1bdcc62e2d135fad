import { z } from "zod";
import { loadOAuthSettings, type OAuthSettings } from "@herald/auth";
import { env, parseEnv } from "@herald/platform";

const AuthorizerEnv = z.object({
  /** API keys are stored (as hashes) in the messages table. */
  HERALD_TABLE_NAME: env.required(),
  HERALD_LOG_LEVEL: env.logLevel(),
});

export type AuthorizerConfig = { tableName: string; oauth: OAuthSettings | undefined; logLevel: string };

export function loadConfig(source: Record<string, string | undefined> = process.env): AuthorizerConfig {
  const e = parseEnv(AuthorizerEnv, source);
  return { tableName: e.HERALD_TABLE_NAME, oauth: loadOAuthSettings(source), logLevel: e.HERALD_LOG_LEVEL };
}
