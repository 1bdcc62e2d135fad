// The root entry loads neither the AWS SDK nor an HTTP client: the DynamoDB key store is
// @herald/auth/dynamo, the in-memory one @herald/auth/memory, OAuth 2.0 introspection and the
// token verifier @herald/auth/oauth.
export {
  API_KEY_PRINCIPAL_PREFIX,
  ApiKeyRecord,
  apiKeyPrincipal,
  createApiKey,
  generateApiKey,
  hashApiKey,
  keyIdOf,
  looksLikeApiKey,
  sameHash,
  type ApiKeyStore,
  type NewApiKey,
} from "./api-keys";
export {
  createAuthenticator,
  credentialOf,
  type Authenticated,
  type Authenticator,
  type AuthenticatorDeps,
  type CredentialSources,
  type HeaderReader,
  type TokenVerifier,
  type VerifiedToken,
} from "./authenticate";
export { identityFromAuthorizerContext, toAuthorizerContext, type AuthorizerContext } from "./authorizer-context";
export {
  identityFromIntrospection,
  rolesFrom,
  type ClaimSettings,
  type IntrospectionAnswer,
  type Verdict,
} from "./oauth/claims";
export { loadOAuthSettings, type OAuthSettings } from "./oauth/settings";
export { canDecrypt, canRead, hasRole, readScope, requireRole } from "./policy";
export { loadRateLimit, TokenBucketLimiter, type RateLimitSettings, type ThrottleDecision, type TokenBucketOptions } from "./throttle";
