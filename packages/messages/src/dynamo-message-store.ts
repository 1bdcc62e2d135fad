import { ConditionalCheckFailedException, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  BatchGetCommand,
  BatchWriteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type BatchWriteCommandInput,
  type DynamoDBDocumentClient,
} from "@aws-sdk/lib-dynamodb";
import { auditKey, auditPartition, messageKey, recipientPartition } from "@herald/table";
import { documentClient } from "@herald/table/client";
import { randomUUID } from "node:crypto";
import { MessageRecord, type Sealed, type StatusEvent } from "@herald/contracts";
import { TransientError } from "@herald/platform";
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

/*
 * The message record (MSG#<id> | MSG), its recipients' history entries (RCPT#<tenant>#<recipient>
 * | <created_at>#<id>) and erasure audit entries (AUDIT#<tenant>#<recipient HMAC>): the layout is
 * @herald/table's.
 */
const recipientPk = recipientPartition;

export class DynamoMessageStore implements MessageStore {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(client: DynamoDBClient, tableName: string) {
    this.#db = documentClient(client);
    this.#table = tableName;
  }

  /*
   * The message item (conditional, so an id is never overwritten) and its recipient entries
   * (BatchWriteItem) at once: they are independent writes, and in parallel the request waits for
   * one round trip instead of two. If either fails, what this call wrote is removed again: the
   * entries always; the message item too unless its write was the one refused because the id
   * exists (that item is another request's). Not TransactWriteItems: a transaction costs twice
   * the write units, and moto, our emulator, deep-copies the whole table per transaction and
   * fails concurrent ones with 500s.
   */
  async create(record: MessageRecord): Promise<void> {
    const sk = historySortKey(record);
    const entries = record.recipients.map((recipient) => ({
      pk: recipientPk(record.tenant, recipient),
      sk,
      id: record.id,
      principal: record.principal,
      channel: record.channel,
    }));
    const [item, history] = await Promise.allSettled([
      this.#db.send(new PutCommand({ TableName: this.#table, Item: { ...messageKey(record.id), ...record }, ConditionExpression: "attribute_not_exists(pk)" })),
      this.#batchWrite(entries.map((Item) => ({ PutRequest: { Item } }))),
    ]);
    if (item.status === "fulfilled" && history.status === "fulfilled") return;
    const ours = item.status === "fulfilled" || !(item.reason instanceof ConditionalCheckFailedException);
    // The id is another request's: its entries have the same keys as these only if it was created
    // in the same millisecond, and then they are the same entries: leave them.
    const theirs = ours ? undefined : await this.get(record.id).catch(() => undefined);
    const sameEntries = theirs !== undefined && theirs.created_at === record.created_at;
    await this.#batchWrite(
      [...(ours ? [messageKey(record.id)] : []), ...(sameEntries ? [] : entries.map(({ pk, sk: entrySk }) => ({ pk, sk: entrySk })))].map((Key) => ({
        DeleteRequest: { Key },
      })),
    ).catch(() => undefined);
    throw item.status === "rejected" ? item.reason : (history as PromiseRejectedResult).reason;
  }

  async #batchWrite(requests: NonNullable<BatchWriteCommandInput["RequestItems"]>[string]): Promise<void> {
    for (let i = 0; i < requests.length; i += 25) {
      let pending = requests.slice(i, i + 25);
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt === 5) throw new Error("DynamoDB left writes unprocessed after 5 attempts");
        if (attempt > 0) await new Promise((r) => setTimeout(r, 25 * 2 ** attempt));
        const result = await this.#db.send(new BatchWriteCommand({ RequestItems: { [this.#table]: pending } }));
        pending = result.UnprocessedItems?.[this.#table] ?? [];
      }
    }
  }

  async get(id: string): Promise<MessageRecord | undefined> {
    const { Item } = await this.#db.send(new GetCommand({ TableName: this.#table, Key: messageKey(id), ConsistentRead: true }));
    return Item ? toRecord(Item) : undefined;
  }

  async listByRecipient(query: ListByRecipientQuery): Promise<MessagePageResult> {
    const entries: { id: string; sk: string }[] = [];
    let startKey: Record<string, unknown> | undefined = query.cursor
      ? { pk: recipientPk(query.tenant, query.recipient), sk: decodeCursor(query.cursor) }
      : undefined;
    let exhausted = false;
    // Read one past the page so we know whether a next page exists. A principal filter can
    // thin a DynamoDB page, so keep reading until the page is full or the partition ends.
    while (entries.length <= query.limit && !exhausted) {
      const page = await this.#db.send(
        new QueryCommand({
          TableName: this.#table,
          KeyConditionExpression: "pk = :pk",
          ExpressionAttributeValues: {
            ":pk": recipientPk(query.tenant, query.recipient),
            ...(query.principal !== undefined && { ":principal": query.principal }),
          },
          ...(query.principal !== undefined && { FilterExpression: "principal = :principal" }),
          ScanIndexForward: false,
          Limit: query.limit + 1,
          ExclusiveStartKey: startKey,
          ProjectionExpression: "id, sk",
        }),
      );
      for (const item of page.Items ?? []) entries.push({ id: String(item.id), sk: String(item.sk) });
      startKey = page.LastEvaluatedKey;
      exhausted = startKey === undefined;
    }
    const pageEntries = entries.slice(0, query.limit);
    const hasMore = entries.length > query.limit;
    const records = await this.#batchGet(pageEntries.map((e) => e.id));
    const last = pageEntries.at(-1);
    return {
      // A record an unfinished erasure already scrubbed no longer names the recipient: not listed.
      items: pageEntries
        .map((e) => records.get(e.id))
        .filter((r): r is MessageRecord => r !== undefined && r.recipients.includes(query.recipient)),
      nextCursor: hasMore && last ? encodeCursor(last.sk) : null,
    };
  }

  async #batchGet(ids: string[]): Promise<Map<string, MessageRecord>> {
    const found = new Map<string, MessageRecord>();
    let keys = ids.map(messageKey);
    for (let attempt = 0; keys.length > 0 && attempt < 5; attempt++) {
      const result = await this.#db.send(
        new BatchGetCommand({ RequestItems: { [this.#table]: { Keys: keys, ConsistentRead: true } } }),
      );
      for (const item of result.Responses?.[this.#table] ?? []) {
        const record = toRecord(item);
        found.set(record.id, record);
      }
      keys = (result.UnprocessedKeys?.[this.#table]?.Keys ?? []) as typeof keys;
      if (keys.length > 0) await new Promise((r) => setTimeout(r, 25 * 2 ** attempt));
    }
    return found;
  }

  async claim(id: string, now: Date, leaseSeconds: number): Promise<ClaimResult> {
    const at = now.toISOString();
    const event: StatusEvent = { status: "sending", at };
    try {
      const { Attributes } = await this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: messageKey(id),
          UpdateExpression:
            "SET #status = :sending, updated_at = :at, claim_expires_at = :lease, attempts = attempts + :one, history = list_append(history, :event)",
          ConditionExpression:
            "attribute_exists(pk) AND (#status IN (:queued, :retrying) OR (#status = :sending AND claim_expires_at < :nowEpoch))",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: {
            ":sending": "sending",
            ":queued": "queued",
            ":retrying": "retrying",
            ":at": at,
            ":lease": Math.floor(now.getTime() / 1000) + leaseSeconds,
            ":nowEpoch": Math.floor(now.getTime() / 1000),
            ":one": 1,
            ":event": [event],
          },
          ReturnValues: "ALL_NEW",
        }),
      );
      return { claimed: true, record: toRecord(Attributes ?? {}) };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return { claimed: false, record: await this.get(id) };
      throw error;
    }
  }

  async transition(id: string, change: Transition): Promise<MessageRecord | undefined> {
    const at = change.at.toISOString();
    const events: StatusEvent[] = [...(change.earlier ?? []), transitionEvent(change)];
    const set = ["#status = :to", "updated_at = :at", "history = list_append(history, :event)"];
    const values: Record<string, unknown> = { ":to": change.to, ":at": at, ":event": events };
    if (change.provider !== undefined) {
      set.push("provider = :provider");
      values[":provider"] = change.provider;
    }
    if (change.providerMessageId !== undefined) {
      set.push("provider_message_id = :pid");
      values[":pid"] = change.providerMessageId;
    }
    if (change.providerReply !== undefined) {
      set.push("provider_reply = :reply");
      values[":reply"] = change.providerReply;
    }
    if (change.code !== undefined) {
      set.push("failure = :failure");
      values[":failure"] = { code: change.code, reason: change.reason ?? change.code };
    }
    const from = change.from ?? [];
    from.forEach((status, i) => (values[`:from${i}`] = status));
    try {
      const { Attributes } = await this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: messageKey(id),
          UpdateExpression: `SET ${set.join(", ")} REMOVE claim_expires_at`,
          ConditionExpression:
            from.length > 0
              ? `attribute_exists(pk) AND #status IN (${from.map((_, i) => `:from${i}`).join(", ")})`
              : "attribute_exists(pk)",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: values,
          ReturnValues: "ALL_NEW",
        }),
      );
      return toRecord(Attributes ?? {});
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  async deadLetter(id: string, change: DeadLetter): Promise<MessageRecord | undefined> {
    const at = change.at.toISOString();
    const event: StatusEvent = { status: "dead_lettered", at, code: change.code, reason: change.reason };
    try {
      const { Attributes } = await this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: messageKey(id),
          UpdateExpression:
            "SET #status = :dead, updated_at = :at, history = list_append(history, :event), failure = if_not_exists(failure, :failure) REMOVE claim_expires_at",
          // claim()'s own test for a claim whose worker died: the same lease, read the same way
          ConditionExpression:
            "attribute_exists(pk) AND tenant = :tenant AND (#status IN (:queued, :retrying) OR (#status = :sending AND claim_expires_at < :nowEpoch))",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: {
            ":dead": "dead_lettered",
            ":at": at,
            ":event": [event],
            ":failure": { code: change.code, reason: change.reason },
            ":tenant": change.tenant,
            ":queued": "queued",
            ":retrying": "retrying",
            ":sending": "sending",
            ":nowEpoch": Math.floor(change.at.getTime() / 1000),
          },
          ReturnValues: "ALL_NEW",
        }),
      );
      return toRecord(Attributes ?? {});
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  /*
   * Read, decide, write on condition of the revision read: `rev` counts the writes to `outcomes`
   * (events and erasures), so two events for different recipients, or an erasure meanwhile, never
   * overwrite each other's outcomes. Claims and transitions leave `rev` alone: they never touch
   * outcomes, and a status an event derives is the later truth.
   */
  async applyEvent(id: string, decide: (record: MessageRecord) => OutcomeChange | undefined): Promise<AppliedEvent> {
    for (let attempt = 0; attempt < 8; attempt++) {
      const { Item } = await this.#db.send(new GetCommand({ TableName: this.#table, Key: messageKey(id), ConsistentRead: true }));
      if (!Item) return { record: undefined, change: undefined };
      const rev = typeof Item.rev === "number" ? Item.rev : 0;
      const record = toRecord(Item);
      const change = decide(record);
      if (!change) return { record, change: undefined };
      const set = ["outcomes = :outcomes", "updated_at = :now", "history = list_append(history, :event)", "rev = :next"];
      const values: Record<string, unknown> = {
        ":outcomes": change.outcomes,
        ":now": new Date().toISOString(),
        ":event": [change.event],
        ":next": rev + 1,
      };
      if (change.status !== undefined) {
        set.push("#status = :status");
        values[":status"] = change.status;
      }
      if (change.failure) {
        set.push("failure = :failure");
        values[":failure"] = change.failure;
      }
      if (rev > 0) values[":rev"] = rev;
      try {
        const { Attributes } = await this.#db.send(
          new UpdateCommand({
            TableName: this.#table,
            Key: messageKey(id),
            UpdateExpression: `SET ${set.join(", ")}`,
            ConditionExpression: `attribute_exists(pk) AND ${rev > 0 ? "rev = :rev" : "attribute_not_exists(rev)"}`,
            ...(change.status !== undefined && { ExpressionAttributeNames: { "#status": "status" } }),
            ExpressionAttributeValues: values,
            ReturnValues: "ALL_NEW",
          }),
        );
        return { record: toRecord(Attributes ?? {}), change };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        await new Promise((r) => setTimeout(r, 5 + Math.random() * 20 * (attempt + 1)));
      }
    }
    throw new TransientError("message.event_conflict", "the message's outcomes kept changing while an event was applied (8 attempts)");
  }

  async seal(id: string, sealed: Sealed, at: Date): Promise<boolean> {
    try {
      await this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: messageKey(id),
          UpdateExpression: "SET sealed = :sealed, updated_at = :at",
          ConditionExpression: "attribute_exists(pk) AND attribute_not_exists(sealed) AND attribute_not_exists(erased_at)",
          ExpressionAttributeValues: { ":sealed": sealed, ":at": at.toISOString() },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /*
   * Per page of the recipient's history: first every record is scrubbed, then the page's entries
   * are deleted. An entry goes only once its record holds nothing of the recipient, so an erasure
   * that stopped half way (a crash, a throttled write) leaves entries that the next one finds and
   * finishes; the listing meanwhile skips records that no longer name the recipient.
   */
  async eraseRecipient(request: EraseRequest): Promise<ErasureResult> {
    const at = request.at.toISOString();
    const pk = recipientPk(request.tenant, request.recipient);
    let erased = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.#db.send(
        new QueryCommand({
          TableName: this.#table,
          KeyConditionExpression: "pk = :pk",
          ExpressionAttributeValues: { ":pk": pk },
          ProjectionExpression: "id, sk",
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      const entries = (page.Items ?? []).map((item) => ({ id: String(item.id), sk: String(item.sk) }));
      for (const entry of entries) await this.#scrub(entry.id, request, at);
      await this.#batchWrite(entries.map(({ sk }) => ({ DeleteRequest: { Key: { pk, sk } } })));
      erased += entries.length;
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return { erased, firstErasedAt: await this.#audit(request, at, erased) };
  }

  /**
   * Removes what a message holds of the recipient: all content (it names every recipient), the
   * metadata, the provider's reply, its outcome, and the address in `recipients`, by its index, on condition
   * that it is still there (a concurrent erasure of a co-recipient shifts the list: read again).
   * A co-recipient's address stays: that recipient was not erased, and its history still lists
   * the (now erased) message.
   */
  async #scrub(id: string, request: EraseRequest, at: string): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const { Item } = await this.#db.send(
        new GetCommand({ TableName: this.#table, Key: messageKey(id), ProjectionExpression: "tenant, recipients, outcomes", ConsistentRead: true }),
      );
      // No record (a create rolled back), or not this tenant's: nothing to scrub, the entry goes.
      if (!Item || Item.tenant !== request.tenant) return;
      const index = Array.isArray(Item.recipients) ? (Item.recipients as unknown[]).indexOf(request.recipient) : -1;
      // Its outcome (keyed by the address) goes too; `rev` tells an event applied meanwhile to read again.
      const outcome = typeof Item.outcomes === "object" && Item.outcomes !== null && request.recipient in Item.outcomes;
      try {
        await this.#db.send(
          new UpdateCommand({
            TableName: this.#table,
            Key: messageKey(id),
            UpdateExpression: `SET erased_at = if_not_exists(erased_at, :at), updated_at = :at, rev = if_not_exists(rev, :zero) + :one REMOVE content, sealed, metadata, provider_reply${
              index >= 0 ? `, recipients[${index}]` : ""
            }${outcome ? ", outcomes.#recipient" : ""}`,
            ConditionExpression: `attribute_exists(pk) AND tenant = :tenant${index >= 0 ? ` AND recipients[${index}] = :recipient` : ""}`,
            ...(outcome && { ExpressionAttributeNames: { "#recipient": request.recipient } }),
            ExpressionAttributeValues: {
              ":at": at,
              ":tenant": request.tenant,
              ":zero": 0,
              ":one": 1,
              ...(index >= 0 && { ":recipient": request.recipient }),
            },
          }),
        );
        return;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
    throw new Error("a message kept changing while it was being erased (5 attempts)");
  }

  /** Writes this erasure's audit entry and returns when the recipient was first erased. */
  async #audit(request: EraseRequest, at: string, messages: number): Promise<string> {
    await this.#db.send(
      new PutCommand({
        TableName: this.#table,
        Item: {
          ...auditKey(request.tenant, request.recipientHmac, at, randomUUID()),
          action: "erase_recipient",
          principal: request.principal,
          recipient_hmac: request.recipientHmac,
          messages,
          at,
        },
      }),
    );
    const { Items } = await this.#db.send(
      new QueryCommand({
        TableName: this.#table,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": auditPartition(request.tenant, request.recipientHmac) },
        ProjectionExpression: "#at",
        ExpressionAttributeNames: { "#at": "at" },
        ConsistentRead: true,
        Limit: 1,
      }),
    );
    return typeof Items?.[0]?.at === "string" ? Items[0].at : at;
  }
}

/** A MSG# item (as read, or a stream image unmarshalled) → the record, validated; its bookkeeping attributes dropped. */
export function toRecord(item: Record<string, unknown>): MessageRecord {
  const { pk: _pk, sk: _sk, claim_expires_at: _lease, rev: _rev, ...record } = item;
  return MessageRecord.parse(record);
}
