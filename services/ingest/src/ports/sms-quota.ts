/**
 * How many SMS a tenant may send per UTC day, counted across every ingest instance: a ceiling on
 * what a leaked key or a hijacked sign-up form can cost in SMS pumping. One counter per tenant
 * and day; the limit is the adapter's.
 */
export interface SmsQuota {
  /** Takes one SMS of the tenant's allowance for the UTC day of `at`; false when it is used up. */
  take(tenant: string, at: Date): Promise<boolean>;
  /** Gives back one taken for the day of `at`: that message was not sent after all. */
  giveBack(tenant: string, at: Date): Promise<void>;
}

/** The UTC day of an instant, YYYY-MM-DD: the quota's window. */
export const utcDay = (at: Date): string => at.toISOString().slice(0, 10);

/** Whole seconds from `at` to the next UTC midnight, when a used-up quota is full again (at least 1). */
export function secondsToNextUtcDay(at: Date): number {
  const midnight = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate() + 1);
  return Math.max(1, Math.ceil((midnight - at.getTime()) / 1000));
}
