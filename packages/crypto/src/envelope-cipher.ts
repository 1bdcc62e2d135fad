import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import type { Sealed } from "@herald/contracts";
import { AppError } from "@herald/platform";
import type { DataKey, DataKeyProvider } from "./data-keys";

/**
 * Envelope encryption with cached data keys, written here rather than taken from the AWS
 * Encryption SDK: its caching materials manager keys its cache by the encryption context, so a
 * per-message context (message id + recipient, as the design asks) would never hit the cache and
 * every message would cost a KMS call. Here the KMS encryption context is coarse (purpose and
 * tenant), which lets one data key serve many messages, and the per-message context is bound
 * by AES-256-GCM as additional authenticated data: a ciphertext moved to another message or
 * recipient, or altered, fails to decrypt instead of yielding garbage.
 */

export type CacheBounds = {
  /** A data key encrypts for at most this long... */
  maxAgeMs: number;
  /** ...and at most this many messages, whichever comes first. */
  maxMessages: number;
};

/*
 * Why these bounds: with random 96-bit IVs, NIST SP 800-38D allows 2^32 messages per key; 10,000
 * is far below that, and 5 minutes bounds how much one leaked data key exposes. At 100 messages
 * a second that is one KMS call per 100 s instead of 10,000.
 */
export const DEFAULT_BOUNDS: CacheBounds = { maxAgeMs: 5 * 60_000, maxMessages: 10_000 };

export class DecryptionError extends AppError {
  constructor(cause?: unknown) {
    super("crypto.decrypt_failed", "The stored ciphertext could not be decrypted: it was altered or belongs to another message", {
      status: 422,
      cause,
    });
    this.name = "DecryptionError";
  }
}

type CachedKey = DataKey & { createdAt: number; uses: number };

export class EnvelopeCipher {
  readonly #keys: DataKeyProvider;
  readonly #bounds: CacheBounds;
  readonly #now: () => number;
  readonly #encryptKeys = new Map<string, CachedKey>();
  readonly #pending = new Map<string, Promise<CachedKey>>();
  readonly #decryptKeys = new Map<string, { plaintext: Buffer; createdAt: number }>();

  constructor(keys: DataKeyProvider, bounds: CacheBounds = DEFAULT_BOUNDS, now: () => number = Date.now) {
    this.#keys = keys;
    this.#bounds = bounds;
    this.#now = now;
  }

  async seal(plaintext: string, kmsContext: Record<string, string>, aad: Record<string, string>): Promise<Sealed> {
    const key = await this.#encryptionKey(kmsContext);
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", key.plaintext, iv);
    cipher.setAAD(canonical(aad));
    const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return {
      v: 1,
      alg: "AES-256-GCM",
      key: key.wrapped.toString("base64"),
      key_id: key.keyId,
      iv: iv.toString("base64"),
      tag: cipher.getAuthTag().toString("base64"),
      ciphertext: ciphertext.toString("base64"),
    };
  }

  async open(sealed: Sealed, kmsContext: Record<string, string>, aad: Record<string, string>): Promise<string> {
    let dataKey: Buffer;
    try {
      dataKey = await this.#decryptionKey(Buffer.from(sealed.key, "base64"), kmsContext);
    } catch (error) {
      if (error instanceof Error && /InvalidCiphertext|IncorrectKey/i.test(error.name)) throw new DecryptionError(error);
      throw error;
    }
    try {
      const decipher = createDecipheriv("aes-256-gcm", dataKey, Buffer.from(sealed.iv, "base64"));
      decipher.setAAD(canonical(aad));
      decipher.setAuthTag(Buffer.from(sealed.tag, "base64"));
      return Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, "base64")), decipher.final()]).toString("utf8");
    } catch (error) {
      throw new DecryptionError(error);
    }
  }

  async #encryptionKey(context: Record<string, string>): Promise<CachedKey> {
    const id = canonical(context).toString("utf8");
    const cached = this.#encryptKeys.get(id);
    if (cached && cached.uses < this.#bounds.maxMessages && this.#now() - cached.createdAt < this.#bounds.maxAgeMs) {
      cached.uses += 1;
      return cached;
    }
    // Concurrent seals that find no key share one KMS call.
    let pending = this.#pending.get(id);
    if (!pending) {
      pending = this.#keys
        .generate(context)
        .then((key) => {
          const entry: CachedKey = { ...key, createdAt: this.#now(), uses: 0 };
          this.#encryptKeys.set(id, entry);
          return entry;
        })
        .finally(() => this.#pending.delete(id));
      this.#pending.set(id, pending);
    }
    const key = await pending;
    key.uses += 1;
    return key;
  }

  async #decryptionKey(wrapped: Buffer, context: Record<string, string>): Promise<Buffer> {
    const id = createHash("sha256").update(wrapped).update(canonical(context)).digest("hex");
    const cached = this.#decryptKeys.get(id);
    if (cached && this.#now() - cached.createdAt < this.#bounds.maxAgeMs) return cached.plaintext;
    const plaintext = await this.#keys.unwrap(wrapped, context);
    if (this.#decryptKeys.size >= 1000) this.#decryptKeys.clear();
    this.#decryptKeys.set(id, { plaintext, createdAt: this.#now() });
    return plaintext;
  }
}

/** Key-sorted JSON: the same context always gives the same bytes. */
function canonical(context: Record<string, string>): Buffer {
  return Buffer.from(JSON.stringify(Object.keys(context).sort().map((k) => [k, context[k]])), "utf8");
}
