import { requireRole } from "@herald/auth";
import { Roles, type Identity } from "@herald/contracts";
import type { MessageStore } from "@herald/messages";
import { maskPrincipal, type Clock, type Logger } from "@herald/platform";
import { canonicalRecipient } from "./recipient";

export type EraseDeps = { store: MessageStore; clock: Clock; logger: Logger };

/** Erases every stored content of one recipient across the caller's tenant (messages:erase). */
export async function eraseRecipient(recipient: string, identity: Identity, deps: EraseDeps): Promise<{ erased: number; at: string }> {
  requireRole(identity, Roles.erase);
  const canonical = canonicalRecipient(recipient);
  const at = deps.clock.now();
  const erased = await deps.store.eraseRecipient({ tenant: identity.tenant, recipient: canonical, principal: identity.principal, at });
  deps.logger.info("recipient erased", { messages: erased, principal: maskPrincipal(identity.principal) });
  return { erased, at: at.toISOString() };
}
