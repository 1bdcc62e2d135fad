import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoApiKeyStore, createAuthenticator, createIntrospector, createTokenVerifier } from "@herald/auth";
import { createLogger } from "@herald/platform";
import type { AuthorizerDeps } from "./domain/authorize";
import type { AuthorizerConfig } from "./config";

/**
 * Built once per Lambda container: the token cache lives as long as the container, behind API
 * Gateway's own result cache, so the provider sees a token at most once per container per TTL.
 */
export function buildDeps(config: AuthorizerConfig): AuthorizerDeps {
  const logger = createLogger("authorizer", config.logLevel);
  const verifyToken =
    config.oauth &&
    createTokenVerifier({ settings: config.oauth, introspect: createIntrospector(config.oauth, { logger }), logger });
  return {
    authenticate: createAuthenticator({
      apiKeys: new DynamoApiKeyStore(new DynamoDBClient({}), config.tableName),
      ...(verifyToken && { verifyToken }),
      authorizationOnly: true,
    }),
    logger,
  };
}
