import { requireRole } from "@herald/auth";
import { Roles, type Erasure, type Identity } from "@herald/contracts";
import type { MessageStore } from "@herald/messages";
import { maskPrincipal, type Clock, type Logger } from "@herald/platform";
import type { RecipientHmac } from "../ports/recipient-hmac";
import { canonicalRecipient } from "./recipient";

export type EraseDeps = { store: MessageStore; recipientHmac: RecipientHmac; clock: Clock; logger: Logger };

/**
 * Erases one recipient across the caller's tenant (messages:erase): every stored content of its
 * messages, its address on them and its history, so listing it afterwards finds nothing. Safe to
 * repeat: a repeat erases what arrived since (often nothing) and answers when the recipient was
 * first erased, from the audit, which knows the recipient only by its HMAC. The HMAC comes
 * first: without the audit key nothing is erased, so no erasure goes unaudited.
 */
export async function eraseRecipient(recipient: string, identity: Identity, deps: EraseDeps): Promise<Erasure> {
  requireRole(identity, Roles.erase);
  const canonical = canonicalRecipient(recipient);
  const recipientHmac = await deps.recipientHmac(canonical);
  const at = deps.clock.now();
  const result = await deps.store.eraseRecipient({ tenant: identity.tenant, recipient: canonical, recipientHmac, principal: identity.principal, at });
  deps.logger.info("recipient erased", { messages: result.erased, principal: maskPrincipal(identity.principal) });
  return { erased: result.erased, at: at.toISOString(), first_erased_at: result.firstErasedAt };
}
