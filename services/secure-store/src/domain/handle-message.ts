import type { QueueEnvelope } from "@herald/contracts";
import { sealContent, type EnvelopeCipher } from "@herald/crypto";
import type { MessageStore } from "@herald/messages";
import type { Clock, Logger } from "@herald/platform";

export type SecureStoreDeps = { store: MessageStore; cipher: EnvelopeCipher; clock: Clock; logger: Logger };

/**
 * Seals a store_secure message's content (envelope encryption, see packages/crypto) into its
 * record. Idempotent: a redelivered envelope finds the record sealed (or erased) and changes
 * nothing. KMS or DynamoDB failures throw, so SQS delivers the envelope again.
 */
export async function handleSecureStore(envelope: QueueEnvelope, deps: SecureStoreDeps): Promise<void> {
  const logger = deps.logger.createChild();
  logger.appendKeys({ messageId: envelope.id });
  if (!envelope.content) {
    logger.warn("no content to seal; dropping");
    return;
  }
  const record = await deps.store.get(envelope.id);
  if (!record || record.tenant !== envelope.tenant || !record.store_secure) {
    logger.warn("no store_secure record for this envelope; dropping");
    return;
  }
  if (record.sealed || record.erased_at !== undefined) {
    logger.info("already sealed or erased; nothing to do");
    return;
  }
  const started = performance.now();
  const sealed = await sealContent(deps.cipher, record, envelope.content);
  const stored = await deps.store.seal(envelope.id, sealed, deps.clock.now());
  logger.info(stored ? "content sealed" : "sealed elsewhere meanwhile", { ms: Math.round(performance.now() - started) });
}
