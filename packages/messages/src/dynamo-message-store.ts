import { ConditionalCheckFailedException, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type BatchWriteCommandInput,
  type DynamoDBDocumentClient,
} from "@aws-sdk/lib-dynamodb";
import { auditKey, auditPartition, messageContentKey, messageKey, recipientPartition } from "@herald/table";
import { documentClient } from "@herald/table/client";
import { randomUUID } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";
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
 * The message record (MSG#<id> | MSG), its bulky parts (MSG#<id> | CONTENT), its recipients'
 * history entries (RCPT#<tenant>#<recipient> | <created_at>#<id>) and erasure audit entries
 * (AUDIT#<tenant>#<recipient HMAC>): the layout is @herald/table's.
 *
 * Why two items for one message: DynamoDB bills a write by the size of the whole item (1 WRU per
 * KB, the larger of before and after), whichever attributes it sets. Every status write (claim,
 * sent, an event) would otherwise pay for the content again: 5 WRU each for a 4.6 KB email. So
 * content that would make the record big lives in its own item, written once at create and
 * removed by erasure, and the record says so (`content_item`); the sealed content of a
 * store_secure message always does. Small content stays in the record: a second item would cost a
 * write of its own and save none, as a small record's writes cost 1 WRU anyway. The content
 * item's key shares the record's partition, so one Query reads a message whole.
 *
 * The content item holds the content gzipped (`content_gz`, JSON): it is written once and read at
 * the send and the reads, so the ~1 ms gzip costs less than the write units it saves (HTML and
 * text shrink 3-5×; a 4.6 KB email's 5 WRU become 1-2). Sealed content is ciphertext, which does
 * not compress: it is stored as it is.
 */
const recipientPk = recipientPartition;

/**
 * Content stays in the record when the record with it is at most this many bytes (as JSON, a
 * little above DynamoDB's own count): what the claim and the sent write add (two history entries,
 * the provider's id, a lease: ~250 bytes) keeps it under the 1 KB of one write unit.
 */
export const INLINE_CONTENT_BYTES = 600;

/** The record's item and, when its content is kept apart, the content item. */
function itemsOf(record: MessageRecord, inlineBytes: number): { item: Record<string, unknown>; content: Record<string, unknown> | undefined } {
  if (record.content === undefined || Buffer.byteLength(JSON.stringify(record)) <= inlineBytes) {
    return { item: { ...messageKey(record.id), ...record }, content: undefined };
  }
  const { content, ...rest } = record;
  return {
    item: { ...messageKey(record.id), ...rest, content_item: true },
    content: { ...messageContentKey(record.id), content_gz: gzipSync(JSON.stringify(content)) },
  };
}

export class DynamoMessageStore implements MessageStore {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #inlineBytes: number;

  constructor(
    client: DynamoDBClient,
    tableName: string,
    options: {
      /** INLINE_CONTENT_BYTES unless given (tests give 0: every content kept apart). */
      inlineContentBytes?: number;
    } = {},
  ) {
    this.#db = documentClient(client);
    this.#table = tableName;
    this.#inlineBytes = options.inlineContentBytes ?? INLINE_CONTENT_BYTES;
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
    const items = itemsOf(record, this.#inlineBytes);
    const put = (Item: Record<string, unknown>) =>
      this.#db.send(new PutCommand({ TableName: this.#table, Item, ConditionExpression: "attribute_not_exists(pk)" }));
    const [item, content, history] = await Promise.allSettled([
      put(items.item),
      items.content ? put(items.content) : Promise.resolve(undefined),
      this.#batchWrite(entries.map((Item) => ({ PutRequest: { Item } }))),
    ]);
    if (item.status === "fulfilled" && content.status === "fulfilled" && history.status === "fulfilled") return;
    const ours = item.status === "fulfilled" || !(item.reason instanceof ConditionalCheckFailedException);
    // The id is another request's (the same request, retried once its idempotency lease ran out):
    // its entries have the same keys as these only if it was created in the same millisecond, and
    // then they are the same entries: leave them. Its content item, if it keeps one, is the one
    // this call's refused or matching write found: leave that too.
    const theirs = ours ? undefined : await this.#db.send(new GetCommand({ TableName: this.#table, Key: messageKey(record.id), ConsistentRead: true })).catch(() => undefined);
    const sameEntries = theirs?.Item !== undefined && theirs.Item.created_at === record.created_at;
    const ourContent = items.content !== undefined && content.status === "fulfilled" && (ours || theirs?.Item?.content_item !== true);
    await this.#batchWrite(
      [
        ...(ours ? [messageKey(record.id)] : []),
        ...(ourContent ? [messageContentKey(record.id)] : []),
        ...(sameEntries ? [] : entries.map(({ pk, sk: entrySk }) => ({ pk, sk: entrySk }))),
      ].map((Key) => ({ DeleteRequest: { Key } })),
    ).catch(() => undefined);
    throw [item, content, history].find((r): r is PromiseRejectedResult => r.status === "rejected")?.reason;
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

  /** The record and its content item in one Query (one partition; billed as one read of both). */
  async get(id: string): Promise<MessageRecord | undefined> {
    const { Items = [] } = await this.#db.send(
      new QueryCommand({
        TableName: this.#table,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": messageKey(id).pk },
        ConsistentRead: true,
      }),
    );
    const item = Items.find((i) => i.sk === messageKey(id).sk);
    return item ? whole(item, Items.find((i) => i.sk === messageContentKey(id).sk)) : undefined;
  }

  /** The content item of a record that keeps one (claim's answer carries only the record). */
  async #whole(item: Record<string, unknown>): Promise<MessageRecord> {
    if (item.content_item !== true) return toRecord(item);
    const { Item } = await this.#db.send(
      new GetCommand({ TableName: this.#table, Key: messageContentKey(String(item.id)), ConsistentRead: true }),
    );
    return whole(item, Item);
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
    const records = await this.#records(pageEntries.map((e) => e.id));
    const last = pageEntries.at(-1);
    return {
      // A record an unfinished erasure already scrubbed no longer names the recipient: not listed.
      items: pageEntries
        .map((e) => records.get(e.id))
        .filter((r): r is MessageRecord => r !== undefined && r.recipients.includes(query.recipient)),
      nextCursor: hasMore && last ? encodeCursor(last.sk) : null,
    };
  }

  /** The records by id, whole: their items, then the content items of those that keep one. */
  async #records(ids: string[]): Promise<Map<string, MessageRecord>> {
    const items = await this.#batchGet(ids.map(messageKey));
    const apart = items.filter((item) => item.content_item === true).map((item) => messageContentKey(String(item.id)));
    const contents = new Map((apart.length > 0 ? await this.#batchGet(apart) : []).map((item) => [String(item.pk), item]));
    return new Map(items.map((item) => [String(item.id), whole(item, contents.get(String(item.pk)))]));
  }

  async #batchGet(all: { pk: string; sk: string }[]): Promise<Record<string, unknown>[]> {
    const found: Record<string, unknown>[] = [];
    // BatchGetItem takes at most 100 keys a call
    for (let i = 0; i < all.length; i += 100) {
      let keys = all.slice(i, i + 100);
      for (let attempt = 0; keys.length > 0 && attempt < 5; attempt++) {
        const result = await this.#db.send(
          new BatchGetCommand({ RequestItems: { [this.#table]: { Keys: keys, ConsistentRead: true } } }),
        );
        found.push(...(result.Responses?.[this.#table] ?? []));
        keys = (result.UnprocessedKeys?.[this.#table]?.Keys ?? []) as typeof keys;
        if (keys.length > 0) await new Promise((r) => setTimeout(r, 25 * 2 ** attempt));
      }
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
      return { claimed: true, record: await this.#whole(Attributes ?? {}) };
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

  /*
   * The sealed content goes into the content item, created once (a conditional put), so the
   * record stays small for the status writes that follow. One condition cannot span two items, so
   * the record is read before (gone, erased, or sealed in the record by an older version: nothing
   * to do) and after: an erasure that ran in between removed the content item before this put made
   * it, so this call removes it again. Either the erasure's delete comes after the put, or its
   * scrub comes before the second read: the sealed content never outlives an erasure.
   */
  async seal(id: string, sealed: Sealed, at: Date): Promise<boolean> {
    const state = async () =>
      (await this.#db.send(new GetCommand({ TableName: this.#table, Key: messageKey(id), ProjectionExpression: "erased_at, sealed, tenant", ConsistentRead: true }))).Item;
    const before = await state();
    if (!before || before.erased_at !== undefined || before.sealed !== undefined) return false;
    try {
      await this.#db.send(
        new PutCommand({
          TableName: this.#table,
          Item: { ...messageContentKey(id), sealed, sealed_at: at.toISOString() },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
    const after = await state();
    if (after && after.erased_at === undefined) return true;
    await this.#db.send(new DeleteCommand({ TableName: this.#table, Key: messageContentKey(id) }));
    return false;
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
        new GetCommand({
          TableName: this.#table,
          Key: messageKey(id),
          ProjectionExpression: "tenant, recipients, outcomes, content_item, store_secure",
          ConsistentRead: true,
        }),
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
            UpdateExpression: `SET erased_at = if_not_exists(erased_at, :at), updated_at = :at, rev = if_not_exists(rev, :zero) + :one REMOVE content, content_item, sealed, metadata, provider_reply${
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
        // The content item after the record: a scrub cut short here is finished by the next
        // erasure, which still finds the history entry (deleted after its page is scrubbed).
        if (Item.content_item === true || Item.store_secure === true) {
          await this.#db.send(new DeleteCommand({ TableName: this.#table, Key: messageContentKey(id) }));
        }
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

/**
 * A MSG# record item (as read, or a stream image unmarshalled) → the record, validated; its
 * bookkeeping attributes dropped. Content kept in the content item is not in it (see whole).
 */
export function toRecord(item: Record<string, unknown>): MessageRecord {
  const { pk: _pk, sk: _sk, claim_expires_at: _lease, rev: _rev, content_item: _apart, ...record } = item;
  return MessageRecord.parse(record);
}

/** The record item with what its content item holds (content, or the sealed content). */
function whole(item: Record<string, unknown>, contentItem: Record<string, unknown> | undefined): MessageRecord {
  const packed = contentItem?.content_gz;
  return toRecord({
    ...item,
    ...(packed instanceof Uint8Array && { content: JSON.parse(gunzipSync(packed).toString("utf8")) as unknown }),
    ...(contentItem?.sealed !== undefined && { sealed: contentItem.sealed }),
  });
}
