import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { createAuthenticator } from "@herald/auth";
import { DynamoApiKeyStore } from "@herald/auth/dynamo";
import { oauthTokenVerifier } from "@herald/auth/oauth";
import { createLogger } from "@herald/platform";
import type { AuthorizerDeps } from "./domain/authorize";
import type { AuthorizerConfig } from "./config";

/**
 * Built once per Lambda container: the token cache lives as long as the container, behind API
 * Gateway's own result cache, so the provider sees a token at most once per container per TTL.
 */
export function buildDeps(config: AuthorizerConfig): AuthorizerDeps {
  const logger = createLogger("authorizer", config.logLevel);
  // Module scope on Lambda: the secret, like the token cache, is read once per container per max age.
  const verifyToken = config.oauth && oauthTokenVerifier(config.oauth, { secretsMaxAgeSeconds: config.secretsMaxAgeSeconds, logger });
  return {
    authenticate: createAuthenticator({
      apiKeys: new DynamoApiKeyStore(new DynamoDBClient({}), config.tableName),
      // Handed only the identity-source header (domain/authorize.ts), never the request's others.
      ...(verifyToken && { verifyToken }),
    }),
    logger,
  };
}
