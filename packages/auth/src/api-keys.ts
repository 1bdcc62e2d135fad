import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import * as z from "zod";
import { Role } from "@herald/contracts";

/**
 * Keys look like `hk_<key id>_<secret>`. The key id is public (it names the key in lists and
 * revocations); the secret is 32 random bytes. Only SHA-256 of the whole key is stored: with 256
 * bits of entropy a slow password hash adds nothing, and a fast one keeps every request cheap.
 */
const KEY_PATTERN = /^hk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

/** Every API key's principal starts with this; no token subject may (oauth/claims.ts). */
export const API_KEY_PRINCIPAL_PREFIX = "key:";

/**
 * The principal an API key acts as: `key:<name>`, the name given at creation (`--principal billing`
 * → `key:billing`) or the key id. A key never shares a principal, and so "own messages",
 * Idempotency-Keys and a throttle bucket, with a token's subject; keys given the same name share
 * one (a rotated key keeps seeing its messages). A name already in the namespace is kept as is, so
 * a new key can take over the principal of an old one (`--principal key:<old key id>`). Records
 * stored before principals were namespaced get the prefix when they authenticate.
 */
export function apiKeyPrincipal(name: string): string {
  return name.startsWith(API_KEY_PRINCIPAL_PREFIX) ? name : `${API_KEY_PRINCIPAL_PREFIX}${name}`;
}

export const ApiKeyRecord = z.strictObject({
  key_id: z.string(),
  hash: z.string(),
  principal: z.string(),
  tenant: z.string(),
  roles: z.array(Role),
  description: z.string().optional(),
  created_at: z.iso.datetime(),
  revoked_at: z.iso.datetime().optional(),
});
export type ApiKeyRecord = z.infer<typeof ApiKeyRecord>;

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

export function looksLikeApiKey(value: string): boolean {
  return KEY_PATTERN.test(value);
}

export function keyIdOf(key: string): string | undefined {
  return KEY_PATTERN.exec(key)?.[1];
}

export function generateApiKey(): { key: string; keyId: string; hash: string } {
  const keyId = randomBytes(6).toString("hex");
  const key = `hk_${keyId}_${randomBytes(32).toString("base64url")}`;
  return { key, keyId, hash: hashApiKey(key) };
}

export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, "hex");
  const y = Buffer.from(b, "hex");
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface ApiKeyStore {
  put(record: ApiKeyRecord): Promise<void>;
  findByHash(hash: string): Promise<ApiKeyRecord | undefined>;
  list(): Promise<ApiKeyRecord[]>;
  /** Marks the key revoked; false if no such key. */
  revoke(keyId: string, at: Date): Promise<boolean>;
}

/** `principal`: the name of the principal the key acts as (apiKeyPrincipal); by default its key id. */
export type NewApiKey = { principal?: string; tenant: string; roles: Role[]; description?: string };

/** Creates a key and stores its hash; the returned key is shown once and never again. */
export async function createApiKey(store: ApiKeyStore, input: NewApiKey, now = new Date()) {
  const { key, keyId, hash } = generateApiKey();
  const record: ApiKeyRecord = {
    key_id: keyId,
    hash,
    principal: apiKeyPrincipal(input.principal ?? keyId),
    tenant: input.tenant,
    roles: [...new Set(input.roles)],
    ...(input.description !== undefined && { description: input.description }),
    created_at: now.toISOString(),
  };
  await store.put(record);
  return { key, record };
}
