import type { MessageRecord, Sealed } from "@herald/contracts";
import {
  decodeCursor,
  encodeCursor,
  historySortKey,
  type AppliedEvent,
  type ClaimResult,
  type DeadLetter,
  type EraseRequest,
  type ErasureResult,
  type ListByRecipientQuery,
  type MessagePageResult,
  type MessageStore,
  type Transition,
  transitionEvent,
} from "./message-store";
import type { OutcomeChange } from "./outcomes";
export { MemorySuppressionList } from "./memory-suppression-list";

/** In-process MessageStore with the DynamoDB adapter's semantics, for unit tests. */
export class MemoryMessageStore implements MessageStore {
  readonly records = new Map<string, MessageRecord & { claimExpiresAt?: number }>();
  /** The erasure audit entries, as the DynamoDB adapter writes them: no address, only its HMAC. */
  readonly audit: (Omit<EraseRequest, "recipient" | "at"> & { at: string; messages: number })[] = [];

  async create(record: MessageRecord): Promise<void> {
    if (this.records.has(record.id)) throw new Error(`message ${record.id} exists`);
    this.records.set(record.id, structuredClone(record));
  }

  async get(id: string): Promise<MessageRecord | undefined> {
    return this.#view(id);
  }

  async listByRecipient(query: ListByRecipientQuery): Promise<MessagePageResult> {
    // As in the DynamoDB adapter, an empty cursor (`?cursor=`) means the first page.
    const after = query.cursor ? decodeCursor(query.cursor) : undefined;
    const matching = [...this.records.values()]
      .filter((r) => r.tenant === query.tenant && r.recipients.includes(query.recipient))
      .filter((r) => query.principal === undefined || r.principal === query.principal)
      .map((r) => ({ sk: historySortKey(r), id: r.id }))
      .sort((a, b) => (a.sk < b.sk ? 1 : a.sk > b.sk ? -1 : 0))
      .filter((e) => after === undefined || e.sk < after);
    const page = matching.slice(0, query.limit);
    const last = page.at(-1);
    return {
      items: page.map((e) => this.#view(e.id)).filter((r): r is MessageRecord => r !== undefined),
      nextCursor: matching.length > query.limit && last ? encodeCursor(last.sk) : null,
    };
  }

  async claim(id: string, now: Date, leaseSeconds: number): Promise<ClaimResult> {
    const record = this.records.get(id);
    const nowEpoch = Math.floor(now.getTime() / 1000);
    const claimable =
      record !== undefined &&
      (record.status === "queued" ||
        record.status === "retrying" ||
        (record.status === "sending" && record.claimExpiresAt !== undefined && record.claimExpiresAt < nowEpoch));
    if (!record || !claimable) return { claimed: false, record: this.#view(id) };
    record.status = "sending";
    record.updated_at = now.toISOString();
    record.claimExpiresAt = nowEpoch + leaseSeconds;
    record.attempts += 1;
    record.history.push({ status: "sending", at: record.updated_at });
    return { claimed: true, record: this.#view(id) as MessageRecord };
  }

  async transition(id: string, change: Transition): Promise<MessageRecord | undefined> {
    const record = this.records.get(id);
    if (!record) return undefined;
    if (change.from && !change.from.includes(record.status)) return undefined;
    record.status = change.to;
    record.updated_at = change.at.toISOString();
    delete record.claimExpiresAt;
    if (change.provider !== undefined) record.provider = change.provider;
    if (change.providerMessageId !== undefined) record.provider_message_id = change.providerMessageId;
    if (change.providerReply !== undefined) record.provider_reply = change.providerReply;
    if (change.code !== undefined) record.failure = { code: change.code, reason: change.reason ?? change.code };
    record.history.push(...structuredClone(change.earlier ?? []), transitionEvent(change));
    return this.#view(id);
  }

  async deadLetter(id: string, change: DeadLetter): Promise<MessageRecord | undefined> {
    const record = this.records.get(id);
    const nowEpoch = Math.floor(change.at.getTime() / 1000);
    const unfinished =
      record !== undefined &&
      record.tenant === change.tenant &&
      (record.status === "queued" ||
        record.status === "retrying" ||
        (record.status === "sending" && record.claimExpiresAt !== undefined && record.claimExpiresAt < nowEpoch));
    if (!record || !unfinished) return undefined;
    record.status = "dead_lettered";
    record.updated_at = change.at.toISOString();
    delete record.claimExpiresAt;
    record.failure ??= { code: change.code, reason: change.reason };
    record.history.push({ status: "dead_lettered", at: record.updated_at, code: change.code, reason: change.reason });
    return this.#view(id);
  }

  async seal(id: string, sealed: Sealed, _at: Date): Promise<boolean> {
    const record = this.records.get(id);
    if (!record || record.sealed || record.erased_at) return false;
    record.sealed = structuredClone(sealed);
    return true;
  }

  async applyEvent(id: string, decide: (record: MessageRecord) => OutcomeChange | undefined): Promise<AppliedEvent> {
    const record = this.#view(id);
    if (!record) return { record: undefined, change: undefined };
    const change = decide(record);
    if (!change) return { record, change: undefined };
    const stored = this.records.get(id);
    if (!stored) return { record: undefined, change: undefined };
    stored.outcomes = structuredClone(change.outcomes);
    stored.history.push(structuredClone(change.event));
    stored.updated_at = new Date().toISOString();
    if (change.status !== undefined) stored.status = change.status;
    if (change.failure) stored.failure = { ...change.failure };
    return { record: this.#view(id), change };
  }

  async eraseRecipient(request: EraseRequest): Promise<ErasureResult> {
    const at = request.at.toISOString();
    let erased = 0;
    for (const record of this.records.values()) {
      if (record.tenant !== request.tenant || !record.recipients.includes(request.recipient)) continue;
      delete record.content;
      delete record.sealed;
      delete record.metadata;
      delete record.provider_reply;
      record.recipients = record.recipients.filter((r) => r !== request.recipient);
      if (record.outcomes) delete record.outcomes[request.recipient];
      record.erased_at ??= at;
      record.updated_at = at;
      erased += 1;
    }
    const { tenant, recipientHmac, principal } = request;
    this.audit.push({ tenant, recipientHmac, principal, at, messages: erased });
    const earliest = this.audit
      .filter((a) => a.tenant === tenant && a.recipientHmac === recipientHmac)
      .map((a) => a.at)
      .sort()[0];
    return { erased, firstErasedAt: earliest ?? at };
  }

  #view(id: string): MessageRecord | undefined {
    const record = this.records.get(id);
    if (!record) return undefined;
    const { claimExpiresAt: _lease, ...rest } = structuredClone(record);
    return rest;
  }
}
