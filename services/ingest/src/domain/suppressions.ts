import { requireRole } from "@herald/auth";
import { Roles, type Identity, type Suppression, type SuppressionPage } from "@herald/contracts";
import { InvalidCursorError, type SuppressionList } from "@herald/messages";
import { NotFoundError, ValidationError, maskPrincipal, type Clock, type Logger } from "@herald/platform";
import { canonicalRecipient } from "./recipient";

export type SuppressionDeps = { suppressions?: SuppressionList; clock: Clock; logger: Logger };

/*
 * The caller's tenant's suppression list (role messages:suppressions): the addresses a permanent
 * bounce, a complaint or an unsubscribe put there, and those added by hand. An erasure leaves
 * these entries: removing one would let the tenant mail a person who bounced or complained again;
 * DELETE takes one off deliberately.
 */
function list(deps: SuppressionDeps): SuppressionList {
  if (!deps.suppressions) throw new Error("unreachable: no suppression list configured");
  return deps.suppressions;
}

export async function listSuppressions(query: { limit: number; cursor?: string | undefined }, identity: Identity, deps: SuppressionDeps): Promise<SuppressionPage> {
  requireRole(identity, Roles.suppressions);
  const page = await list(deps)
    .list(identity.tenant, query)
    .catch((error: unknown) => {
      if (error instanceof InvalidCursorError) throw new ValidationError("Invalid cursor", [{ path: "cursor", message: "is not a cursor this API issued" }]);
      throw error;
    });
  return { items: page.items, next_cursor: page.nextCursor };
}

export async function getSuppression(address: string, identity: Identity, deps: SuppressionDeps): Promise<Suppression> {
  requireRole(identity, Roles.suppressions);
  const found = await list(deps).get(identity.tenant, canonicalRecipient(address, "address"));
  if (!found) throw new NotFoundError("Suppression");
  return found;
}

export async function removeSuppression(address: string, identity: Identity, deps: SuppressionDeps): Promise<void> {
  requireRole(identity, Roles.suppressions);
  const removed = await list(deps).remove(identity.tenant, canonicalRecipient(address, "address"));
  if (!removed) throw new NotFoundError("Suppression");
  deps.logger.info("suppression removed", { principal: maskPrincipal(identity.principal) });
}

/** Adds one by hand; an address already there keeps its first cause (answered with it, `created: false`). */
export async function addSuppression(
  request: { address: string; note?: string | undefined },
  identity: Identity,
  deps: SuppressionDeps,
): Promise<{ suppression: Suppression; created: boolean }> {
  requireRole(identity, Roles.suppressions);
  const entry: Suppression = {
    address: canonicalRecipient(request.address, "address"),
    reason: "manual",
    created_at: deps.clock.now().toISOString(),
    principal: identity.principal,
    ...(request.note !== undefined && { note: request.note }),
  };
  const created = await list(deps).add(identity.tenant, entry);
  if (created) {
    deps.logger.info("suppression added", { principal: maskPrincipal(identity.principal) });
    return { suppression: entry, created };
  }
  return { suppression: (await list(deps).get(identity.tenant, entry.address)) ?? entry, created };
}
