import { identityFromAuthorizerContext, type Authenticator, type HeaderReader } from "@herald/auth";
import type { Identity } from "@herald/contracts";
import type { Clock } from "@herald/platform";

/** How a request's identity is established: from its own credentials, or from the AWS authorizer. */
export type IdentitySource = (request: { headers: HeaderReader; env: unknown }) => Promise<Identity>;

/**
 * Whose bucket a request draws from (middleware.ts throttle): a principal is only unique within its
 * tenant, so the key is both, and JSON so no tenant/principal pair can spell another's.
 */
export function throttleKey(identity: Identity): string {
  return JSON.stringify([identity.tenant, identity.principal]);
}

/** Locally (and in tests): the request's credential, checked by the same authenticator the AWS authorizer runs. */
export function fromCredentials(authenticate: Authenticator): IdentitySource {
  return async ({ headers }) => (await authenticate(headers)).identity;
}

/**
 * On AWS: API Gateway ran the Lambda authorizer and passes its context in the event. Request
 * headers are never read for identity here, so a client cannot name itself.
 */
export function fromAuthorizer(clock: Clock): IdentitySource {
  return async ({ env }) => identityFromAuthorizerContext(authorizerContextOf(env), clock.now().getTime());
}

/** hono/aws-lambda puts the Lambda event at `c.env.event`; HTTP API v2 puts the context at requestContext.authorizer.lambda. */
function authorizerContextOf(env: unknown): unknown {
  const event = (env as { event?: { requestContext?: { authorizer?: { lambda?: unknown } } } } | undefined)?.event;
  return event?.requestContext?.authorizer?.lambda;
}
