import { createHmac } from "node:crypto";
import { UnavailableError, type Secret } from "@herald/platform";
import { AUDIT_HMAC_KEY_MIN_LENGTH, AUDIT_HMAC_KEY_TOO_SHORT } from "@herald/settings";
import type { RecipientHmac } from "../ports/recipient-hmac";

/**
 * HMAC-SHA-256 of the canonical recipient under the audit key, read when needed (a Secrets
 * Manager value is cached by the Secret). A key read from Secrets Manager is checked here, as
 * config.ts checks a given value: a short one refuses the erasure (503) rather than weaken it.
 */
export function hmacRecipient(key: Secret): RecipientHmac {
  return async (recipient) => {
    const value = await key.value();
    if (value.length < AUDIT_HMAC_KEY_MIN_LENGTH) {
      throw new UnavailableError("audit.key_invalid", `The Secrets Manager secret of HERALD_AUDIT_HMAC_KEY ${AUDIT_HMAC_KEY_TOO_SHORT}`);
    }
    return createHmac("sha256", value).update(recipient, "utf8").digest("hex");
  };
}
