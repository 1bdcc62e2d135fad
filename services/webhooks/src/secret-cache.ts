import { createHash } from "node:crypto";
import type { StoredSecret } from "@herald/webhooks";

export type SecretOpener = (tenant: string, webhookId: string, secret: StoredSecret) => Promise<string>;

export type SecretCacheBounds = { maxEntries: number; maxAgeMs: number };

/*
 * 1,000 secrets of 44 bytes; 10 minutes, twice the cipher's own data-key age, so a busy endpoint
 * costs one KMS call per process and 10 minutes instead of one per delivery, and a secret no longer
 * signing (rotated out, endpoint deleted) leaves memory soon after its last use.
 */
export const DEFAULT_SECRET_CACHE: SecretCacheBounds = { maxEntries: 1000, maxAgeMs: 10 * 60_000 };

/**
 * Opens each sealed secret once and keeps the plaintext for a while, keyed by the sealed form
 * itself (with its tenant, endpoint and creation time, the AAD it opens under): a rotation
 * seals a new one, which is a new key, so nothing is ever invalidated by hand. Concurrent opens
 * of one secret share one call; a failed open is not kept.
 */
export function cachingOpener(open: SecretOpener, bounds: SecretCacheBounds = DEFAULT_SECRET_CACHE, now: () => number = Date.now): SecretOpener {
  // insertion order is use order: the first entry is the least recently used
  const entries = new Map<string, { value: Promise<string>; at: number }>();
  return (tenant, webhookId, secret) => {
    const id = createHash("sha256").update(JSON.stringify([tenant, webhookId, secret.created_at, secret.sealed])).digest("hex");
    const hit = entries.get(id);
    entries.delete(id);
    if (hit && now() - hit.at < bounds.maxAgeMs) {
      entries.set(id, hit);
      return hit.value;
    }
    const value = open(tenant, webhookId, secret);
    entries.set(id, { value, at: now() });
    value.catch(() => {
      if (entries.get(id)?.value === value) entries.delete(id);
    });
    while (entries.size > bounds.maxEntries) {
      const oldest = entries.keys().next().value;
      if (oldest === undefined) break;
      entries.delete(oldest);
    }
    return value;
  };
}
