import * as z from "zod";
import { PHONE_COUNTRIES } from "@herald/contracts/send";
import { env } from "./env";

// Apart from the root entry (@herald/settings/sms-policy): the country list is libphonenumber's,
// which only the ingest API (and sst deploy) load.
const { optional } = env;

const COUNTRIES = new Set(PHONE_COUNTRIES);

/** An ISO 3166-1 alpha-2 code, either case, of a country with a numbering plan ("gb" → "GB"). */
export const SmsCountry = z
  .string()
  .transform((code) => code.toUpperCase())
  .refine((code) => COUNTRIES.has(code), "each entry must be an ISO 3166-1 alpha-2 country code with phone numbers, e.g. GB");

/**
 * Where SMS may go and how many, per tenant: read by the ingest API, which refuses before
 * anything is recorded (a message already queued when the list changes is still sent).
 */
export const SmsPolicyEnv = z.object({
  /**
   * The countries SMS may be sent to (GB,IE,US); unset or empty: every country. Numbers of no
   * country (+882, +979, satellite) and premium-rate, shared-cost and UAN numbers are refused
   * whatever it says.
   */
  HERALD_SMS_COUNTRIES: env.list().pipe(z.array(SmsCountry)),
  /** SMS a tenant may send per UTC day; unset: no quota. 0 is refused as ambiguous. */
  HERALD_SMS_DAILY_QUOTA: optional(
    z.coerce
      .number({ error: "must be a number" })
      .int({ error: "must be an integer" })
      .min(1, { error: "must be at least 1 (unset it for no quota)" })
      .max(10_000_000, { error: "must be at most 10000000" }),
  ),
});
export type SmsPolicyEnv = z.infer<typeof SmsPolicyEnv>;

/** The policy as the services use it: countries undefined = every country, quota undefined = none. */
export type SmsPolicySettings = { countries: readonly string[] | undefined; dailyQuota: number | undefined };

export function smsPolicySettings(e: SmsPolicyEnv): SmsPolicySettings {
  return {
    countries: e.HERALD_SMS_COUNTRIES.length > 0 ? [...new Set(e.HERALD_SMS_COUNTRIES)] : undefined,
    dailyQuota: e.HERALD_SMS_DAILY_QUOTA,
  };
}
