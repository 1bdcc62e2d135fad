import * as z from "zod";
import { SecretSettingEnv, type SecretSetting } from "./secrets";

/** HERALD_AUDIT_HMAC_KEY: at least this many characters (32 random bytes in base64 are 44). */
export const AUDIT_HMAC_KEY_MIN_LENGTH = 32;

export const AUDIT_HMAC_KEY_TOO_SHORT = `must be at least ${AUDIT_HMAC_KEY_MIN_LENGTH} characters (e.g. openssl rand -base64 32)`;

/**
 * The key of the erasure audit's HMAC (ingest): an erased recipient is recorded only as
 * HMAC-SHA-256(key, address), so the audit can tell that an address was erased without holding
 * it, and, unlike a plain hash, nobody without the key can find the address by hashing guesses
 * (every phone number of a country is a few seconds of SHA-256). Required: erasure has no
 * unkeyed fallback. The value, or `secretsmanager:<name or ARN>` (on AWS, the AuditHmacKey
 * secret); keep it for good, since a new key no longer matches the earlier audit entries.
 */
export const AuditEnv = z.object({
  HERALD_AUDIT_HMAC_KEY: SecretSettingEnv.transform((setting, ctx): SecretSetting => {
    if (setting === undefined) {
      ctx.addIssue({ code: "custom", message: "is required: a random string of at least 32 characters, or secretsmanager:<name or ARN>" });
      return z.NEVER;
    }
    if (setting.kind === "value" && setting.value.length < AUDIT_HMAC_KEY_MIN_LENGTH) {
      ctx.addIssue({ code: "custom", message: AUDIT_HMAC_KEY_TOO_SHORT });
      return z.NEVER;
    }
    return setting;
  }),
});
