import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { DataKey, DataKeyProvider } from "./data-keys";

/**
 * A DataKeyProvider for unit tests: wraps data keys with an in-process master key (AES-256-GCM,
 * context as AAD, so a wrong context fails as KMS does) and counts calls.
 */
export class MemoryDataKeyProvider implements DataKeyProvider {
  readonly #master = randomBytes(32);
  generated = 0;
  unwrapped = 0;

  async generate(context: Record<string, string>): Promise<DataKey> {
    this.generated += 1;
    const plaintext = randomBytes(32);
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.#master, iv);
    cipher.setAAD(Buffer.from(JSON.stringify(Object.entries(context).sort())));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return { plaintext, wrapped: Buffer.concat([iv, cipher.getAuthTag(), body]), keyId: "memory" };
  }

  async unwrap(wrapped: Buffer, context: Record<string, string>): Promise<Buffer> {
    this.unwrapped += 1;
    const decipher = createDecipheriv("aes-256-gcm", this.#master, wrapped.subarray(0, 12));
    decipher.setAAD(Buffer.from(JSON.stringify(Object.entries(context).sort())));
    decipher.setAuthTag(wrapped.subarray(12, 28));
    try {
      return Buffer.concat([decipher.update(wrapped.subarray(28)), decipher.final()]);
    } catch (error) {
      const invalid = new Error("the wrapped key or its context is wrong", { cause: error });
      invalid.name = "InvalidCiphertextException";
      throw invalid;
    }
  }
}
