import * as z from "zod";
import { Identity, Role } from "@herald/contracts";
import { UnauthorizedError } from "@herald/platform";
import type { Authenticated } from "./authenticate";

/**
 * What the AWS Lambda authorizer hands the ingest function through API Gateway
 * (`requestContext.authorizer.lambda`): flat strings and numbers, as simple responses carry them.
 * `expires_at` (epoch seconds: the token's own `exp`; 0 for API keys and for tokens without one)
 * lets the ingest function refuse a token that expired while API Gateway still had the
 * authorizer's answer cached.
 */
export type AuthorizerContext = { principal: string; tenant: string; roles: string; expires_at: number };

export function toAuthorizerContext(auth: Authenticated): AuthorizerContext {
  return {
    principal: auth.identity.principal,
    tenant: auth.identity.tenant,
    roles: auth.identity.roles.join(" "),
    expires_at: auth.expiresAt === undefined ? 0 : Math.floor(auth.expiresAt / 1000),
  };
}

const Context = z.object({
  principal: z.string(),
  tenant: z.string(),
  roles: z.string(),
  expires_at: z.coerce.number().int().nonnegative(),
});

/**
 * The caller's identity from the authorizer's context, never from request headers. No context
 * means the route was reached without the authorizer: refused, not trusted.
 */
export function identityFromAuthorizerContext(context: unknown, nowMs: number): Identity {
  const parsed = Context.safeParse(context);
  if (!parsed.success) throw new UnauthorizedError("No authorizer identity for this request");
  const { principal, tenant, roles, expires_at } = parsed.data;
  if (expires_at !== 0 && expires_at * 1000 <= nowMs) throw new UnauthorizedError("Invalid token: expired", "invalid_token");
  const identity = Identity.safeParse({
    principal,
    tenant,
    roles: roles.split(" ").filter((r) => Role.safeParse(r).success),
  });
  if (!identity.success) throw new UnauthorizedError("No authorizer identity for this request");
  return identity.data;
}
