/**
 * The keyed digest the erasure audit records a recipient by: HMAC-SHA-256 under
 * HERALD_AUDIT_HMAC_KEY, hex. The same address always gives the same digest, so a repeated
 * erasure finds the first one; without the key, hashing guessed addresses or numbers finds nothing.
 */
export type RecipientHmac = (canonicalRecipient: string) => Promise<string>;
