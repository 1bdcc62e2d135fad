import type { APIGatewayRequestAuthorizerEventV2, APIGatewaySimpleAuthorizerWithContextResult } from "aws-lambda";
import { toAuthorizerContext, type Authenticator, type AuthorizerContext } from "@herald/auth";
import { AppError, maskPrincipal, type Logger } from "@herald/platform";

export type AuthorizerDeps = { authenticate: Authenticator; logger: Logger };
export type AuthorizerResult = APIGatewaySimpleAuthorizerWithContextResult<AuthorizerContext>;

/**
 * The routes whose authorizer is keyed on X-Api-Key (infra/api.ts): the legacy /msg routes,
 * whose clients send nothing else. Every other route's is keyed on Authorization.
 */
export const API_KEY_ROUTES: ReadonlySet<string> = new Set(["POST /msg", "GET /msg"]);

/**
 * API Gateway HTTP API Lambda authorizer (payload 2.0, simple responses). The credential is read
 * from the identity source alone, which is also API Gateway's cache key for this answer: the
 * Authorization header, or X-Api-Key on the routes that use that (two authorizers on this one
 * function, so two caches: one header's cached answer never serves a request that came with the
 * other). A refused credential throws "Unauthorized", which API Gateway turns into 401; roles are
 * not judged here (they are per route, 403, in the ingest function).
 * A provider outage propagates as an error: API Gateway answers 500 and caches nothing.
 */
export async function authorize(event: APIGatewayRequestAuthorizerEventV2, deps: AuthorizerDeps): Promise<AuthorizerResult> {
  const header = API_KEY_ROUTES.has(event.routeKey) ? "x-api-key" : "authorization";
  const credential = event.identitySource?.[0] ?? "";
  try {
    const auth = await deps.authenticate(new Headers({ [header]: credential }));
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
