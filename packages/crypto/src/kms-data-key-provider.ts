import { DecryptCommand, GenerateDataKeyCommand, type KMSClient } from "@aws-sdk/client-kms";
import type { DataKey, DataKeyProvider } from "./data-keys";

export class KmsDataKeyProvider implements DataKeyProvider {
  readonly #kms: KMSClient;
  readonly #keyId: string | undefined;

  /** `keyId` is needed to generate data keys only; unwrapping finds the key from the blob. */
  constructor(client: KMSClient, keyId?: string) {
    this.#kms = client;
    this.#keyId = keyId;
  }

  async generate(context: Record<string, string>): Promise<DataKey> {
    if (!this.#keyId) throw new Error("no KMS key id configured to generate data keys");
    const result = await this.#kms.send(
      new GenerateDataKeyCommand({ KeyId: this.#keyId, KeySpec: "AES_256", EncryptionContext: context }),
    );
    if (!result.Plaintext || !result.CiphertextBlob) throw new Error("KMS returned no data key");
    return { plaintext: takePlaintext(result.Plaintext), wrapped: Buffer.from(result.CiphertextBlob), keyId: result.KeyId ?? this.#keyId };
  }

  async unwrap(wrapped: Buffer, context: Record<string, string>): Promise<Buffer> {
    const result = await this.#kms.send(new DecryptCommand({ CiphertextBlob: wrapped, EncryptionContext: context }));
    if (!result.Plaintext) throw new Error("KMS returned no plaintext");
    return takePlaintext(result.Plaintext);
  }
}

/**
 * The key as a Buffer of its own, and the SDK's copy zeroed: the cipher zeroes the Buffer when the
 * key leaves its cache, and no second copy should outlive that. (The base64 text of the response
 * body is a JavaScript string, which cannot be zeroed; it is garbage once the call returns.)
 */
function takePlaintext(plaintext: Uint8Array): Buffer {
  const key = Buffer.from(plaintext);
  plaintext.fill(0);
  return key;
}
