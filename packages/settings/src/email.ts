import * as z from "zod";
import { env } from "./env";
import { SmtpEnv } from "./smtp";

export const EMAIL_TRANSPORTS = ["ses", "smtp"] as const;
export type EmailTransport = (typeof EMAIL_TRANSPORTS)[number];

const Transports = z
  .string()
  .transform((value) => value.split(",").map((t) => t.trim()))
  .pipe(
    z
      .array(z.enum(EMAIL_TRANSPORTS, { error: `each entry must be one of ${EMAIL_TRANSPORTS.join(", ")}` }))
      .min(1)
      .refine((list) => new Set(list).size === list.length, "must not name a transport twice"),
  );

/** How the email consumer sends: its transports, the failover breaker and the SMTP relay. */
export const EmailTransportEnv = z
  .object({
    /** Ordered: the first is the primary, the others take a message the one before failed transiently. */
    HERALD_EMAIL_TRANSPORTS: env.optional(Transports),
    /** Transient failures in a row after which a transport is skipped for the cooldown. */
    HERALD_EMAIL_BREAKER_FAILURES: env.int(5, 1, 1000),
    HERALD_EMAIL_BREAKER_COOLDOWN_SECONDS: env.int(30, 1, 3600),
  })
  .extend(SmtpEnv.shape);
export type EmailTransportEnv = z.infer<typeof EmailTransportEnv>;

/** In order, never empty: as given, else the relay alone once one is configured, else SES. */
export function emailTransports(e: Pick<EmailTransportEnv, "HERALD_EMAIL_TRANSPORTS" | "HERALD_SMTP_HOST">): EmailTransport[] {
  return e.HERALD_EMAIL_TRANSPORTS ?? (e.HERALD_SMTP_HOST !== undefined ? ["smtp"] : ["ses"]);
}
