import type { Suppression } from "@herald/contracts";
import { decodeSuppressionCursor, encodeSuppressionCursor, type SuppressionList, type SuppressionPageResult } from "./suppressions";

/** In-process SuppressionList with the DynamoDB adapter's semantics, for unit tests. */
export class MemorySuppressionList implements SuppressionList {
  readonly entries = new Map<string, Suppression>();
  readonly #key = (tenant: string, recipient: string) => `${tenant}\u0000${recipient}`;

  async find(tenant: string, recipients: readonly string[]): Promise<Set<string>> {
    return new Set(recipients.filter((r) => this.entries.has(this.#key(tenant, r))));
  }

  async get(tenant: string, recipient: string): Promise<Suppression | undefined> {
    const entry = this.entries.get(this.#key(tenant, recipient));
    return entry && structuredClone(entry);
  }

  async add(tenant: string, entry: Suppression): Promise<boolean> {
    const key = this.#key(tenant, entry.address);
    if (this.entries.has(key)) return false;
    this.entries.set(key, structuredClone(entry));
    return true;
  }

  async remove(tenant: string, recipient: string): Promise<boolean> {
    return this.entries.delete(this.#key(tenant, recipient));
  }

  async list(tenant: string, page: { limit: number; cursor?: string | undefined }): Promise<SuppressionPageResult> {
    const after = page.cursor ? decodeSuppressionCursor(page.cursor) : undefined;
    const prefix = `${tenant}\u0000`;
    const all = [...this.entries.entries()]
      .filter(([key]) => key.startsWith(prefix))
      .map(([, entry]) => entry)
      .sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0))
      .filter((entry) => after === undefined || entry.address > after);
    const items = all.slice(0, page.limit).map((e) => structuredClone(e));
    const last = items.at(-1);
    return { items, nextCursor: all.length > page.limit && last ? encodeSuppressionCursor(last.address) : null };
  }
}
