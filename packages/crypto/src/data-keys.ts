/** A fresh data key: the plaintext to encrypt with, and the same key wrapped by the master key. */
export type DataKey = { plaintext: Buffer; wrapped: Buffer; keyId: string };

/**
 * Where data keys come from and are unwrapped: KMS in production. `context` is KMS's encryption
 * context, bound to the wrapped key (a wrong context fails to unwrap).
 */
export interface DataKeyProvider {
  generate(context: Record<string, string>): Promise<DataKey>;
  unwrap(wrapped: Buffer, context: Record<string, string>): Promise<Buffer>;
}
