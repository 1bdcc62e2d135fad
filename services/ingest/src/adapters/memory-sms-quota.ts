import { utcDay, type SmsQuota } from "../ports/sms-quota";

/** In-process SmsQuota with the DynamoDB adapter's semantics, for unit tests. */
export class MemorySmsQuota implements SmsQuota {
  readonly used = new Map<string, number>();
  readonly #perDay: number;

  constructor(options: { perDay: number }) {
    this.#perDay = options.perDay;
  }

  async take(tenant: string, at: Date): Promise<boolean> {
    const key = `${tenant}#${utcDay(at)}`;
    const used = this.used.get(key) ?? 0;
    if (used >= this.#perDay) return false;
    this.used.set(key, used + 1);
    return true;
  }

  async giveBack(tenant: string, at: Date): Promise<void> {
    const key = `${tenant}#${utcDay(at)}`;
    const used = this.used.get(key) ?? 0;
    if (used > 0) this.used.set(key, used - 1);
  }
}
