import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoApiKeyStore, createAuthenticator, createIntrospector, createTokenVerifier } from "@herald/auth";
import { createLogger, createSecrets } from "@herald/platform";
import type { AuthorizerDeps } from "./domain/authorize";
import type { AuthorizerConfig } from "./config";

/**
 * Built once per Lambda container: the token cache lives as long as the container, behind API
 * Gateway's own result cache, so the provider sees a token at most once per container per TTL.
 */
export function buildDeps(config: AuthorizerConfig): AuthorizerDeps {
  const logger = createLogger("authorizer", config.logLevel);
  const oauth = config.oauth;
  const verifyToken =
    oauth &&
    createTokenVerifier({
      settings: oauth,
      // Module scope on Lambda: the secret, like the token cache, is read once per container per max age.
      introspect: createIntrospector(oauth, {
        clientSecret: createSecrets({ maxAgeSeconds: config.secretsMaxAgeSeconds })(oauth.clientSecret, "HERALD_OAUTH_CLIENT_SECRET"),
        logger,
      }),
      logger,
    });
  return {
    authenticate: createAuthenticator({
      apiKeys: new DynamoApiKeyStore(new DynamoDBClient({}), config.tableName),
      // Handed only the identity-source header (domain/authorize.ts), never the request's others.
      ...(verifyToken && { verifyToken }),
    }),
    logger,
  };
}
