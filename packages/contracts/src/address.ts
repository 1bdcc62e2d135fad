import * as z from "zod";
import { MAX_RECIPIENTS } from "./limits";

// zod's email pattern is ASCII-only by design: Unicode look-alikes (Cyrillic "а", full-width "＠")
// are rejected rather than normalised, which is what a sender-facing API wants.
export const EmailAddress = z
  .email({ error: "must be a valid email address" })
  .max(254, { error: "must be at most 254 characters" })
  .meta({ description: "An email address (ASCII, as in RFC 5321).", example: "alice@example.com" });
export type EmailAddress = z.infer<typeof EmailAddress>;

/** The canonical form used to de-duplicate and to key a recipient's history. */
export function canonicalEmail(address: string): string {
  return address.trim().toLowerCase();
}

/**
 * One address, a comma-separated list (the SMTP report's `send(..., recipients, cc, bcc)`), or an
 * array. Always comes out as an array of addresses, in order, without duplicates.
 */
export const EmailAddressList = z
  .union([z.string(), z.array(z.string()).max(MAX_RECIPIENTS, { error: `at most ${MAX_RECIPIENTS} addresses` })])
  // Spaces around commas are dropped; CR, LF and other whitespace are left for the address check
  // to refuse (trimming them would launder a header injection into a valid address). A
  // comma-separated string has the array's limit too, counted before any entry is checked.
  .transform((value, ctx) => {
    const entries = (typeof value === "string" ? value.split(",") : value).map((a) => a.replace(/^ +| +$/g, ""));
    if (entries.length <= MAX_RECIPIENTS) return entries;
    ctx.addIssue({ code: "custom", message: `at most ${MAX_RECIPIENTS} addresses` });
    return z.NEVER;
  })
  .pipe(z.array(EmailAddress).min(1, { error: "at least one address" }))
  .transform((addresses) => dedupeEmails(addresses))
  .meta({
    description: "An address, a comma-separated list of addresses, or an array of them.",
    example: ["alice@example.com"],
  });

export function dedupeEmails(addresses: readonly string[], seen = new Set<string>()): string[] {
  const out: string[] = [];
  for (const address of addresses) {
    const key = canonicalEmail(address);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(address);
  }
  return out;
}
