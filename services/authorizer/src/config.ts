import * as z from "zod";
import { loadOAuthSettings, type OAuthSettings } from "@herald/auth";
import { env, parseEnv, SecretsEnv } from "@herald/settings";

const AuthorizerEnv = z.object({
  /** API keys are stored (as hashes) in the messages table. */
  HERALD_TABLE_NAME: env.required(),
  HERALD_LOG_LEVEL: env.logLevel(),
}).extend(SecretsEnv.shape);

export type AuthorizerConfig = {
  tableName: string;
  oauth: OAuthSettings | undefined;
  /** How long the OAuth client secret, read from Secrets Manager, is reused before it is read again. */
  secretsMaxAgeSeconds: number;
  logLevel: string;
};

export function loadConfig(source: Record<string, string | undefined> = process.env): AuthorizerConfig {
  const e = parseEnv(AuthorizerEnv, source);
  return {
    tableName: e.HERALD_TABLE_NAME,
    oauth: loadOAuthSettings(source),
    secretsMaxAgeSeconds: e.HERALD_SECRETS_MAX_AGE,
    logLevel: e.HERALD_LOG_LEVEL,
  };
}
