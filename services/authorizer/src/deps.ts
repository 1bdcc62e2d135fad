import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { createAuthenticator } from "@herald/auth";
import { DynamoApiKeyStore } from "@herald/auth/dynamo";
import { createLogger } from "@herald/platform";
import type { AuthorizerDeps } from "./domain/authorize";
import type { AuthorizerConfig } from "./config";

/**
 * Built once per Lambda container: the token cache lives as long as the container, behind API
 * Gateway's own result cache, so the provider sees a token at most once per container per TTL.
 * Async only for the OAuth verifier's import, awaited at module scope (entrypoints/lambda.ts).
 */
export async function buildDeps(config: AuthorizerConfig): Promise<AuthorizerDeps> {
  const logger = createLogger("authorizer", config.logLevel);
  // Module scope on Lambda: the secret, like the token cache, is read once per container per max age.
  // Imported only when OAuth is configured: oauth4webapi is ~13 KB of a cold start that an
  // API-key-only deployment never uses. Awaited here, during init, so a chunk that failed to load
  // still fails the container's start, as the static import did, not its first request.
  const verifyToken =
    config.oauth &&
    (await import("@herald/auth/oauth")).oauthTokenVerifier(config.oauth, { secretsMaxAgeSeconds: config.secretsMaxAgeSeconds, logger });
  return {
    authenticate: createAuthenticator({
      apiKeys: new DynamoApiKeyStore(new DynamoDBClient({}), config.tableName),
      // Handed only the identity-source header (domain/authorize.ts), never the request's others.
      ...(verifyToken && { verifyToken }),
    }),
    logger,
  };
}
