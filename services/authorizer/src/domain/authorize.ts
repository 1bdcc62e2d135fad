import type { APIGatewayRequestAuthorizerEventV2, APIGatewaySimpleAuthorizerWithContextResult } from "aws-lambda";
import { toAuthorizerContext, type Authenticator, type AuthorizerContext } from "@herald/auth";
import { AppError, maskPrincipal, type Logger } from "@herald/platform";

export type AuthorizerDeps = { authenticate: Authenticator; logger: Logger };
export type AuthorizerResult = APIGatewaySimpleAuthorizerWithContextResult<AuthorizerContext>;

/**
 * API Gateway HTTP API Lambda authorizer (payload 2.0, simple responses). The credential is read
 * from the identity source alone (the Authorization header), which is also API Gateway's cache
 * key for this answer. A refused credential throws "Unauthorized", which API Gateway turns into
 * 401; roles are not judged here (they are per route, 403, in the ingest function).
 * A provider outage propagates as an error: API Gateway answers 500 and caches nothing.
 */
export async function authorize(event: APIGatewayRequestAuthorizerEventV2, deps: AuthorizerDeps): Promise<AuthorizerResult> {
  const authorization = event.identitySource?.[0] ?? "";
  try {
    const auth = await deps.authenticate(new Headers({ authorization }));
    deps.logger.info("authorized", { principal: maskPrincipal(auth.identity.principal), tenant: auth.identity.tenant, method: auth.method });
    return { isAuthorized: true, context: toAuthorizerContext(auth) };
  } catch (error) {
    if (error instanceof AppError && error.status === 401) {
      deps.logger.info("refused", { reason: error.message });
      throw new Error("Unauthorized");
    }
    throw error;
  }
}
