import { type MessageRecord } from "@herald/contracts";
import { phoneCountry, type SendMessage } from "@herald/contracts/send";
import { AppError, UnavailableError, type Logger } from "@herald/platform";
import { secondsToNextUtcDay, type SmsQuota } from "../ports/sms-quota";

/*
 * The deployment's SMS rules beyond the schema's (which refuses premium-rate, shared-cost and UAN
 * numbers, and numbers of no country, everywhere): where SMS may go, and how many a tenant may
 * send per UTC day. Checked before anything is recorded; a message refused here leaves no trace.
 */
export type SmsPolicy = {
  /** ISO 3166-1 alpha-2 codes an SMS may go to; undefined: every country. */
  countries?: readonly string[];
  /** SMS per tenant per UTC day; undefined: no quota. */
  quota?: SmsQuota;
};

/** HERALD_SMS_COUNTRIES: a 422 naming `to` for a number of another country. */
export function checkSmsCountry(message: SendMessage, policy: SmsPolicy | undefined): void {
  if (message.channel !== "sms" || policy?.countries === undefined) return;
  const country = phoneCountry(message.to);
  if (country !== undefined && policy.countries.includes(country)) return;
  throw new AppError("sms.country_not_allowed", "This service does not send SMS to that country", {
    status: 422,
    errors: [{ path: "to", message: `is a number in ${country ?? "no country"}; SMS goes only to ${policy.countries.join(", ")}` }],
  });
}

/**
 * Takes one SMS of the tenant's quota for the day the record was accepted, or refuses with 429
 * and Retry-After until the next UTC midnight. Call it after every other check, right before
 * the record is written, and give it back if the message is then not queued.
 */
export async function takeSmsQuota(record: MessageRecord, policy: SmsPolicy | undefined): Promise<void> {
  if (record.channel !== "sms" || !policy?.quota) return;
  const at = new Date(record.created_at);
  const taken = await policy.quota.take(record.tenant, at).catch((error: unknown) => {
    // Closed, not open: an SMS is not sent uncounted.
    throw new UnavailableError("sms.quota_unavailable", "The SMS quota could not be checked; nothing was sent. Retry later.", error);
  });
  if (taken) return;
  const seconds = secondsToNextUtcDay(at);
  throw new AppError("sms.quota_exceeded", `This tenant's daily SMS quota is used up; it renews at 00:00 UTC, in ${seconds} s`, {
    status: 429,
    headers: { "retry-after": String(seconds) },
  });
}

/**
 * The message was taken from the quota but not queued (the store or the queue failed): nothing
 * was sent, so the caller's retry should not pay twice. Never throws: the failure the caller
 * hears about is the original one; a give-back that fails leaves the count one high, the safe way.
 */
export async function giveBackSmsQuota(record: MessageRecord, policy: SmsPolicy | undefined, logger: Logger): Promise<void> {
  if (record.channel !== "sms" || !policy?.quota) return;
  await policy.quota
    .giveBack(record.tenant, new Date(record.created_at))
    .catch((error: unknown) => logger.error("sms quota give-back failed", { messageId: record.id, error: error instanceof Error ? error.name : "unknown" }));
}
