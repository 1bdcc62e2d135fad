import { canDecrypt, requireRole } from "@herald/auth";
import { Roles, type DecryptedMessage, type Identity } from "@herald/contracts";
import { openContent, type EnvelopeCipher } from "@herald/crypto";
import type { MessageStore } from "@herald/messages";
import { AppError, NotFoundError, maskPrincipal, type Logger } from "@herald/platform";
import { contentFields } from "./views";

export type DecryptDeps = { store: MessageStore; cipher: EnvelopeCipher; logger: Logger };

/**
 * The plaintext of a store_secure message, for a caller with messages:decrypt who may see it
 * (canDecrypt); a message it may not see does not exist for it (404, as for a missing one).
 */
export async function decryptMessage(id: string, identity: Identity, deps: DecryptDeps): Promise<DecryptedMessage> {
  requireRole(identity, Roles.decrypt);
  const record = await deps.store.get(id);
  if (!record || !canDecrypt(identity, record)) throw new NotFoundError("Message");
  if (record.erased_at !== undefined) throw new AppError("message.erased", "The content was erased", { status: 410 });
  if (!record.store_secure) {
    throw new AppError("message.not_secure", "Not a store_secure message: GET /v1/messages/{id} shows its content", { status: 409 });
  }
  if (!record.sealed) {
    throw new AppError("message.not_sealed_yet", "The content is not stored yet; retry shortly", {
      status: 409,
      headers: { "retry-after": "1" },
    });
  }
  const content = await openContent(deps.cipher, record, record.sealed);
  deps.logger.info("message decrypted", { messageId: record.id, principal: maskPrincipal(identity.principal) });
  return { id: record.id, channel: content.channel, ...contentFields(content) };
}
