import { randomBytes } from "node:crypto";

export type LocalAuditKey = {
  /** What the services get as HERALD_AUDIT_HMAC_KEY. */
  setting: string;
  /** Where it came from, for the progress line. */
  from: "HERALD_AUDIT_HMAC_KEY" | "created" | "reused";
  /** What .herald/local.json keeps: the generated key, never one the environment gave. */
  stored: string | undefined;
};

/**
 * The erasure audit's HMAC key for this stack: the environment's HERALD_AUDIT_HMAC_KEY when set
 * (the ingest service judges it), else the one an earlier run generated, else 32 random bytes.
 * Reused across runs so audit entries of one emulator stay comparable (AWS_ENDPOINT_URL).
 */
export function localAuditKey(given: string | undefined, previous: string | undefined): LocalAuditKey {
  if (given !== undefined && given.trim() !== "") return { setting: given, from: "HERALD_AUDIT_HMAC_KEY", stored: undefined };
  if (previous) return { setting: previous, from: "reused", stored: previous };
  const created = randomBytes(32).toString("base64url");
  return { setting: created, from: "created", stored: created };
}
