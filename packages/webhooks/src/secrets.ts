import { randomBytes } from "node:crypto";
import { WEBHOOK_SECRET_PREFIX } from "@herald/contracts";
import { webhookSecretKmsContext, type EnvelopeCipher } from "@herald/crypto";
import type { StoredSecret } from "./webhook-store";

/*
 * Signing secrets are sealed like store_secure content: AES-256-GCM under a cached KMS data key,
 * KMS context {purpose herald:webhook_secret, tenant} (the key policy allows no other purpose to
 * the functions that handle them), the endpoint id and the secret's creation time as AAD, so a
 * sealed secret copied onto another endpoint does not open.
 */

/** Standard Webhooks' format: `whsec_` + base64 of 32 random bytes (the HMAC-SHA256 key). */
export const generateSecret = (): string => `${WEBHOOK_SECRET_PREFIX}${randomBytes(32).toString("base64")}`;

const aad = (webhookId: string, createdAt: string) => ({ webhook_id: webhookId, created_at: createdAt });

export async function sealSecret(cipher: EnvelopeCipher, tenant: string, webhookId: string, secret: string, at: Date): Promise<StoredSecret> {
  const created_at = at.toISOString();
  return { sealed: await cipher.seal(secret, webhookSecretKmsContext(tenant), aad(webhookId, created_at)), created_at };
}

export function openSecret(cipher: EnvelopeCipher, tenant: string, webhookId: string, secret: StoredSecret): Promise<string> {
  return cipher.open(secret.sealed, webhookSecretKmsContext(tenant), aad(webhookId, secret.created_at));
}

/** The secrets that still sign at `at`: the current one and a rotated-out one until it expires. */
export const signingSecrets = (secrets: readonly StoredSecret[], at: Date): StoredSecret[] =>
  secrets.filter((secret) => secret.expires_at === undefined || Date.parse(secret.expires_at) > at.getTime());

/** How long a rotated-out secret keeps signing beside the new one. */
export const ROTATION_OVERLAP_MS = 24 * 3600_000;
