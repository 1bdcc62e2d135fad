import { MessageContent, type MessageRecord, type Sealed } from "@herald/contracts";
import { storeSecureKmsContext } from "./context";
import { DecryptionError, type EnvelopeCipher } from "./envelope-cipher";

export type SecureRef = Pick<MessageRecord, "id" | "tenant" | "recipients">;

/*
 * The contexts store_secure content is sealed under, in one place for the sealer (secure-store)
 * and the opener (the decrypt route). KMS's context names the purpose and tenant, so a data key
 * serves many messages of one tenant; the message id and its recipients are AES-GCM's additional
 * authenticated data, so a ciphertext copied onto another message does not open.
 */
const kmsContext = (ref: SecureRef) => storeSecureKmsContext(ref.tenant);
const aad = (ref: SecureRef) => ({ message_id: ref.id, recipients: ref.recipients.join(",") });

export function sealContent(cipher: EnvelopeCipher, ref: SecureRef, content: MessageContent): Promise<Sealed> {
  return cipher.seal(JSON.stringify(content), kmsContext(ref), aad(ref));
}

export async function openContent(cipher: EnvelopeCipher, ref: SecureRef, sealed: Sealed): Promise<MessageContent> {
  const plaintext = await cipher.open(sealed, kmsContext(ref), aad(ref));
  const parsed = MessageContent.safeParse(JSON.parse(plaintext));
  if (!parsed.success) throw new DecryptionError(parsed.error);
  return parsed.data;
}
