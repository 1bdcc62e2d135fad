// @herald/auth/oauth: the parts that call the identity provider (oauth4webapi) and read the
// client secret (Secrets Manager). Claims and settings are pure and come from the package root.
export { createIntrospector, type Introspect, type IntrospectionSettings, type IntrospectorDeps } from "./introspection";
export { createTokenVerifier, oauthTokenVerifier, type TokenVerifierOptions } from "./token-verifier";
