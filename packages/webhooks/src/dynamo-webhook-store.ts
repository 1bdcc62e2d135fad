import { ConditionalCheckFailedException, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { Sealed, Webhook, WebhookDelivery, WebhookEvent, type WebhookAttempt, type WebhookDeliveryStatus } from "@herald/contracts";
import { TABLE, webhookDeliveryKey, webhookDeliveryPartition, webhookKey, webhookPartition } from "@herald/table";
import { documentClient } from "@herald/table/client";
import * as z from "zod";
import {
  decodeWebhookCursor,
  encodeWebhookCursor,
  type DeliveryStart,
  type Page,
  type PageResult,
  type StoredDelivery,
  type StoredSecret,
  type WebhookChanges,
  type WebhookEndpoint,
  type WebhookStore,
} from "./webhook-store";

/*
 * WH#<tenant> | <webhook id> and WHD#<tenant>#<webhook id> | <delivery id>: the layout is
 * @herald/table's. Items are the stored types' plain attributes plus the key (and, on
 * deliveries, the TTL attribute); what is read back is validated, so a corrupt item throws
 * rather than reaching a signer or a caller.
 */

const StoredSecretItem = z.strictObject({ sealed: Sealed, created_at: z.iso.datetime(), expires_at: z.iso.datetime().optional() });
const EndpointItem = Webhook.omit({ previous_secret_expires_at: true }).extend({
  tenant: z.string().min(1),
  principal: z.string().min(1),
  secrets: z.array(StoredSecretItem),
});
const DeliveryItem = WebhookDelivery.extend({ tenant: z.string().min(1), event: WebhookEvent });

/** Delivery logs expire 30 days after the delivery began (DynamoDB's TTL, epoch seconds). */
const DELIVERY_TTL_SECONDS = 30 * 24 * 3600;
const TTL = TABLE.ttlAttribute;

const CHANGEABLE = ["url", "event_types", "description", "include_recipients", "enabled"] as const satisfies readonly (keyof WebhookChanges)[];

/** Optimistic rotations retried this many times when another write to the endpoint came between. */
const ROTATE_ATTEMPTS = 5;

export class DynamoWebhookStore implements WebhookStore {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(client: DynamoDBClient, tableName: string) {
    this.#db = documentClient(client);
    this.#table = tableName;
  }

  async create(endpoint: WebhookEndpoint): Promise<void> {
    const item = EndpointItem.parse(endpoint);
    await this.#db.send(
      new PutCommand({
        TableName: this.#table,
        Item: { ...item, ...webhookKey(endpoint.tenant, endpoint.id) },
        ConditionExpression: "attribute_not_exists(pk)",
      }),
    );
  }

  async get(tenant: string, id: string): Promise<WebhookEndpoint | undefined> {
    const { Item } = await this.#db.send(new GetCommand({ TableName: this.#table, Key: webhookKey(tenant, id), ConsistentRead: true }));
    return Item ? toEndpoint(Item) : undefined;
  }

  async list(tenant: string, page: Page): Promise<PageResult<WebhookEndpoint>> {
    return this.#page(webhookPartition(tenant), page, toEndpoint, true);
  }

  async listEnabled(tenant: string): Promise<WebhookEndpoint[]> {
    const found: WebhookEndpoint[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const result = await this.#db.send(
        new QueryCommand({
          TableName: this.#table,
          KeyConditionExpression: "pk = :pk",
          FilterExpression: "enabled = :true",
          ExpressionAttributeValues: { ":pk": webhookPartition(tenant), ":true": true },
          ExclusiveStartKey: startKey,
          ConsistentRead: true,
        }),
      );
      for (const item of result.Items ?? []) found.push(toEndpoint(item));
      startKey = result.LastEvaluatedKey;
    } while (startKey !== undefined);
    return found;
  }

  async update(tenant: string, id: string, changes: WebhookChanges, at: Date): Promise<WebhookEndpoint | undefined> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ":at": at.toISOString() };
    const set = ["updated_at = :at"];
    const remove: string[] = [];
    CHANGEABLE.filter((field) => changes[field] !== undefined).forEach((field, i) => {
      const value = changes[field];
      names[`#f${i}`] = field;
      values[`:v${i}`] = value;
      set.push(`#f${i} = :v${i}`);
    });
    if (changes.enabled === true) {
      remove.push("disabled_reason", "disabled_at", "failing_since");
    } else if (changes.enabled === false) {
      set.push("disabled_reason = :byHand", "disabled_at = :at");
      values[":byHand"] = "disabled by hand";
    }
    try {
      const { Attributes } = await this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: webhookKey(tenant, id),
          UpdateExpression: `SET ${set.join(", ")}${remove.length > 0 ? ` REMOVE ${remove.join(", ")}` : ""}`,
          ConditionExpression: "attribute_exists(pk)",
          ...(Object.keys(names).length > 0 && { ExpressionAttributeNames: names }),
          ExpressionAttributeValues: values,
          ReturnValues: "ALL_NEW",
        }),
      );
      return toEndpoint(Attributes ?? {});
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  async delete(tenant: string, id: string): Promise<boolean> {
    const { Attributes } = await this.#db.send(new DeleteCommand({ TableName: this.#table, Key: webhookKey(tenant, id), ReturnValues: "ALL_OLD" }));
    return Attributes !== undefined;
  }

  /*
   * Read, compute the new list, write it only if the secrets are still the ones read: two
   * rotations at once never both keep "their" previous secret, one of them is read again.
   */
  async rotateSecret(tenant: string, id: string, next: StoredSecret, previousExpiresAt: Date, at: Date): Promise<WebhookEndpoint | undefined> {
    for (let attempt = 0; attempt < ROTATE_ATTEMPTS; attempt++) {
      const endpoint = await this.get(tenant, id);
      if (!endpoint) return undefined;
      const current = endpoint.secrets.find((s) => s.expires_at === undefined);
      const secrets = [StoredSecretItem.parse(next), ...(current ? [{ ...current, expires_at: previousExpiresAt.toISOString() }] : [])];
      try {
        const { Attributes } = await this.#db.send(
          new UpdateCommand({
            TableName: this.#table,
            Key: webhookKey(tenant, id),
            UpdateExpression: "SET secrets = :secrets, updated_at = :at",
            ConditionExpression: "attribute_exists(pk) AND secrets = :read",
            ExpressionAttributeValues: { ":secrets": secrets, ":read": endpoint.secrets, ":at": at.toISOString() },
            ReturnValues: "ALL_NEW",
          }),
        );
        return toEndpoint(Attributes ?? {});
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
    throw new Error(`webhook ${id}: its secrets kept changing during a rotation`);
  }

  /*
   * Two conditional writes: the first sets failing_since unless set (and tells what it was);
   * the second disables only if the endpoint is still enabled and still failing since that
   * same time, and at least disableAfterMs ago. Workers racing on one endpoint therefore
   * either disable it with the right reason or leave it as another of them left it.
   */
  async recordFailure(tenant: string, id: string, at: Date, disableAfterMs: number): Promise<{ disabled: boolean }> {
    const key = webhookKey(tenant, id);
    let old: Record<string, unknown> | undefined;
    try {
      ({ Attributes: old } = await this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: key,
          UpdateExpression: "SET failing_since = if_not_exists(failing_since, :at)",
          ConditionExpression: "attribute_exists(pk)",
          ExpressionAttributeValues: { ":at": at.toISOString() },
          ReturnValues: "ALL_OLD",
        }),
      ));
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return { disabled: false };
      throw error;
    }
    const before = toEndpoint(old ?? {});
    if (!before.enabled) return { disabled: true };
    const since = before.failing_since;
    if (since === undefined || Date.parse(since) > at.getTime() - disableAfterMs) return { disabled: false };
    try {
      await this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: key,
          UpdateExpression: "SET enabled = :false, disabled_at = :at, disabled_reason = :reason",
          ConditionExpression: "attribute_exists(pk) AND enabled = :true AND failing_since = :since AND failing_since <= :threshold",
          ExpressionAttributeValues: {
            ":false": false,
            ":true": true,
            ":at": at.toISOString(),
            ":reason": `failing since ${since}`,
            ":since": since,
            ":threshold": new Date(at.getTime() - disableAfterMs).toISOString(),
          },
        }),
      );
      return { disabled: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // Someone else wrote first (disabled it, recorded a success, re-enabled it, deleted it).
      const now = await this.get(tenant, id);
      return { disabled: now !== undefined && !now.enabled };
    }
  }

  async recordSuccess(tenant: string, id: string): Promise<void> {
    try {
      await this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: webhookKey(tenant, id),
          UpdateExpression: "REMOVE failing_since",
          // Also keeps an UpdateItem from creating an item for an endpoint deleted meanwhile.
          ConditionExpression: "attribute_exists(failing_since)",
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async startDelivery(delivery: DeliveryStart): Promise<boolean> {
    const item = DeliveryItem.parse({ ...delivery, status: "pending", attempts: [], updated_at: delivery.created_at });
    try {
      await this.#db.send(
        new PutCommand({
          TableName: this.#table,
          Item: {
            ...item,
            ...webhookDeliveryKey(delivery.tenant, delivery.webhook_id, delivery.id),
            [TTL]: Math.floor(Date.parse(delivery.created_at) / 1000) + DELIVERY_TTL_SECONDS,
          },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async recordAttempt(tenant: string, webhookId: string, deliveryId: string, attempt: WebhookAttempt, status: WebhookDeliveryStatus, at: Date): Promise<void> {
    await this.#updateDelivery(tenant, webhookId, deliveryId, "SET attempts = list_append(attempts, :attempt), #status = :status, updated_at = :at", {
      ":attempt": [attempt],
      ":status": status,
      ":at": at.toISOString(),
    });
  }

  async setDeliveryStatus(tenant: string, webhookId: string, deliveryId: string, status: WebhookDeliveryStatus, at: Date): Promise<void> {
    await this.#updateDelivery(tenant, webhookId, deliveryId, "SET #status = :status, updated_at = :at", { ":status": status, ":at": at.toISOString() });
  }

  async #updateDelivery(tenant: string, webhookId: string, deliveryId: string, expression: string, values: Record<string, unknown>): Promise<void> {
    try {
      await this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: webhookDeliveryKey(tenant, webhookId, deliveryId),
          UpdateExpression: expression,
          ConditionExpression: "attribute_exists(pk)",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new Error(`no delivery ${deliveryId}`, { cause: error });
      throw error;
    }
  }

  async getDelivery(tenant: string, webhookId: string, deliveryId: string): Promise<StoredDelivery | undefined> {
    const { Item } = await this.#db.send(
      new GetCommand({ TableName: this.#table, Key: webhookDeliveryKey(tenant, webhookId, deliveryId), ConsistentRead: true }),
    );
    return Item ? toDelivery(Item) : undefined;
  }

  /** Newest first: delivery ids sort by time. */
  async listDeliveries(tenant: string, webhookId: string, page: Page): Promise<PageResult<StoredDelivery>> {
    return this.#page(webhookDeliveryPartition(tenant, webhookId), page, toDelivery, false);
  }

  /**
   * One page of a partition in sort-key order (`forward`) or reverse, from after the cursor's
   * item; its items are read one past the page, so an exact last page says there is no next one.
   */
  async #page<T extends { id: string }>(pk: string, page: Page, read: (item: Record<string, unknown>) => T, forward: boolean): Promise<PageResult<T>> {
    const after = page.cursor ? decodeWebhookCursor(page.cursor) : undefined;
    const items: T[] = [];
    let startKey: Record<string, unknown> | undefined = after === undefined ? undefined : { pk, sk: after };
    while (items.length <= page.limit) {
      const result = await this.#db.send(
        new QueryCommand({
          TableName: this.#table,
          KeyConditionExpression: "pk = :pk",
          ExpressionAttributeValues: { ":pk": pk },
          ScanIndexForward: forward,
          Limit: page.limit + 1 - items.length,
          ExclusiveStartKey: startKey,
          ConsistentRead: true,
        }),
      );
      for (const item of result.Items ?? []) items.push(read(item));
      startKey = result.LastEvaluatedKey;
      if (startKey === undefined) break;
    }
    const shown = items.slice(0, page.limit);
    const last = shown.at(-1);
    return { items: shown, nextCursor: items.length > page.limit && last ? encodeWebhookCursor(last.id) : null };
  }
}

function toEndpoint(item: Record<string, unknown>): WebhookEndpoint {
  const { pk: _pk, sk: _sk, ...rest } = item;
  return EndpointItem.parse(rest);
}

function toDelivery(item: Record<string, unknown>): StoredDelivery {
  const { pk: _pk, sk: _sk, [TTL]: _expires, ...rest } = item;
  return DeliveryItem.parse(rest);
}
