import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import type { Sealed } from "@herald/contracts";
import { AppError } from "@herald/platform";
import type { DataKey, DataKeyProvider } from "./data-keys";
import { KeyCache, type HoldsKey } from "./key-cache";

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
  /**
   * At most this many data keys are held for sealing (one per KMS context: per tenant), and as
   * many unwrapped ones for opening; the least recently used goes first. Default 1,000.
   */
  maxKeys?: number;
};

/*
 * Why these bounds: with random 96-bit IVs, NIST SP 800-38D allows 2^32 messages per key; 10,000
 * is far below that, and 5 minutes bounds how much one leaked data key exposes. At 100 messages
 * a second that is one KMS call per 100 s instead of 10,000. 1,000 keys (32 bytes each): a
 * process serving up to that many tenants at once still makes one KMS call per key, and its
 * memory never holds more plaintext keys than that.
 */
export const DEFAULT_BOUNDS = { maxAgeMs: 5 * 60_000, maxMessages: 10_000, maxKeys: 1000 } as const satisfies CacheBounds;

const ALGORITHM = "aes-256-gcm";
/*
 * GCM accepts any IV length and, unless told the tag's length, Node verifies tags of 4 to 16
 * bytes when opening: a forger who may choose a 4-byte tag needs about 2^32 tries, not 2^128.
 * Herald seals with a 12-byte IV and a 16-byte tag and opens nothing else.
 */
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class DecryptionError extends AppError {
  constructor(cause?: unknown) {
    super("crypto.decrypt_failed", "The stored ciphertext could not be decrypted: it was altered or belongs to another message", {
      status: 422,
      cause,
    });
    this.name = "DecryptionError";
  }
}

type SealingKey = DataKey & { uses: number };

export class EnvelopeCipher {
  readonly #keys: DataKeyProvider;
  readonly #maxMessages: number;
  /** The current data key per KMS context (per tenant). */
  readonly #sealing: KeyCache<SealingKey>;
  /** Concurrent seals that find no key share one KMS call. */
  readonly #pending = new Map<string, Promise<void>>();
  /** Unwrapped data keys, by wrapped key and context. */
  readonly #opening: KeyCache<HoldsKey>;

  constructor(keys: DataKeyProvider, bounds: CacheBounds = DEFAULT_BOUNDS, now: () => number = Date.now) {
    this.#keys = keys;
    this.#maxMessages = bounds.maxMessages;
    const cacheBounds = { maxKeys: bounds.maxKeys ?? DEFAULT_BOUNDS.maxKeys, maxAgeMs: bounds.maxAgeMs };
    this.#sealing = new KeyCache(cacheBounds, now);
    this.#opening = new KeyCache(cacheBounds, now);
  }

  async seal(plaintext: string, kmsContext: Record<string, string>, aad: Record<string, string>): Promise<Sealed> {
    const id = canonical(kmsContext).toString("utf8");
    let key = this.#takeSealingKey(id);
    while (key === undefined) {
      // Taken by other seals, or pushed out by another tenant's, before this one resumed: each
      // round gives a fresh key's maxMessages uses to someone, so this ends.
      await this.#generate(id, kmsContext);
      key = this.#takeSealingKey(id);
    }
    // Nothing awaits from taking the key to createCipheriv, which copies it: the key cannot be
    // evicted (and zeroed) in between.
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, key.plaintext, iv, { authTagLength: TAG_BYTES });
    // spent: out (and zeroed) now rather than at the next seal
    if (key.uses >= this.#maxMessages) this.#sealing.delete(id);
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
    const iv = Buffer.from(sealed.iv, "base64");
    const tag = Buffer.from(sealed.tag, "base64");
    // before KMS: a malformed record costs no KMS call
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
      throw new DecryptionError(new Error(`AES-256-GCM here needs a ${IV_BYTES}-byte IV and a ${TAG_BYTES}-byte tag, not ${iv.length} and ${tag.length}`));
    }
    const wrapped = Buffer.from(sealed.key, "base64");
    const id = createHash("sha256").update(wrapped).update(canonical(kmsContext)).digest("hex");
    let dataKey = this.#opening.get(id)?.plaintext;
    if (dataKey === undefined) {
      dataKey = await this.#unwrap(wrapped, kmsContext);
      this.#opening.set(id, { plaintext: dataKey });
    }
    // As in seal: nothing awaits from here to createDecipheriv.
    try {
      const decipher = createDecipheriv(ALGORITHM, dataKey, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(canonical(aad));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, "base64")), decipher.final()]).toString("utf8");
    } catch (error) {
      throw new DecryptionError(error);
    }
  }

  /** The context's current key, with this use counted; undefined when it has none. */
  #takeSealingKey(id: string): SealingKey | undefined {
    const key = this.#sealing.get(id);
    if (key !== undefined) key.uses += 1;
    return key;
  }

  #generate(id: string, context: Record<string, string>): Promise<void> {
    let pending = this.#pending.get(id);
    if (!pending) {
      pending = this.#keys
        .generate(context)
        // replaces (and zeroes) a key still cached under this context
        .then((key) => this.#sealing.set(id, { ...key, uses: 0 }))
        .finally(() => this.#pending.delete(id));
      this.#pending.set(id, pending);
    }
    return pending;
  }

  async #unwrap(wrapped: Buffer, context: Record<string, string>): Promise<Buffer> {
    try {
      return await this.#keys.unwrap(wrapped, context);
    } catch (error) {
      if (error instanceof Error && /InvalidCiphertext|IncorrectKey/i.test(error.name)) throw new DecryptionError(error);
      throw error;
    }
  }
}

/** Key-sorted JSON: the same context always gives the same bytes. */
function canonical(context: Record<string, string>): Buffer {
  return Buffer.from(JSON.stringify(Object.keys(context).sort().map((k) => [k, context[k]])), "utf8");
}
