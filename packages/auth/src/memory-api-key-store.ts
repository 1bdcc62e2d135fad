import type { ApiKeyRecord, ApiKeyStore } from "./api-keys";

export class MemoryApiKeyStore implements ApiKeyStore {
  readonly records = new Map<string, ApiKeyRecord>();

  async put(record: ApiKeyRecord): Promise<void> {
    if (this.records.has(record.hash)) throw new Error("key exists");
    this.records.set(record.hash, { ...record });
  }
  async findByHash(hash: string): Promise<ApiKeyRecord | undefined> {
    const record = this.records.get(hash);
    return record && { ...record };
  }
  async list(): Promise<ApiKeyRecord[]> {
    return [...this.records.values()].map((r) => ({ ...r }));
  }
  async revoke(keyId: string, at: Date): Promise<boolean> {
    const record = [...this.records.values()].find((r) => r.key_id === keyId);
    if (!record) return false;
    record.revoked_at ??= at.toISOString();
    return true;
  }
}
