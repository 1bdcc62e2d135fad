import { ConditionalCheckFailedException, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { BatchGetCommand, DeleteCommand, GetCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { Suppression } from "@herald/contracts";
import { suppressionKey, suppressionPartition } from "@herald/table";
import { documentClient } from "@herald/table/client";
import { decodeSuppressionCursor, encodeSuppressionCursor, type SuppressionList, type SuppressionPageResult } from "./suppressions";

/** SUPP#<tenant> | <canonical recipient>: the layout is @herald/table's. */
export class DynamoSuppressionList implements SuppressionList {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(client: DynamoDBClient, tableName: string) {
    this.#db = documentClient(client);
    this.#table = tableName;
  }

  async find(tenant: string, recipients: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    const unique = [...new Set(recipients)];
    for (let i = 0; i < unique.length; i += 100) {
      let keys = unique.slice(i, i + 100).map((r) => suppressionKey(tenant, r));
      for (let attempt = 0; keys.length > 0; attempt++) {
        if (attempt === 5) throw new Error("DynamoDB left suppression reads unprocessed after 5 attempts");
        if (attempt > 0) await new Promise((r) => setTimeout(r, 25 * 2 ** attempt));
        const result = await this.#db.send(
          new BatchGetCommand({ RequestItems: { [this.#table]: { Keys: keys, ProjectionExpression: "sk", ConsistentRead: true } } }),
        );
        for (const item of result.Responses?.[this.#table] ?? []) found.add(String(item.sk));
        keys = (result.UnprocessedKeys?.[this.#table]?.Keys ?? []) as typeof keys;
      }
    }
    return found;
  }

  async get(tenant: string, recipient: string): Promise<Suppression | undefined> {
    const { Item } = await this.#db.send(new GetCommand({ TableName: this.#table, Key: suppressionKey(tenant, recipient), ConsistentRead: true }));
    return Item ? toSuppression(Item) : undefined;
  }

  /* An UpdateItem, not a PutItem: the events consumer's IAM allows updates of these items only. */
  async add(tenant: string, entry: Suppression): Promise<boolean> {
    const fields = Object.entries(entry).filter(([, value]) => value !== undefined);
    try {
      await this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: suppressionKey(tenant, entry.address),
          UpdateExpression: `SET ${fields.map((_, i) => `#f${i} = :v${i}`).join(", ")}`,
          ConditionExpression: "attribute_not_exists(pk)",
          ExpressionAttributeNames: Object.fromEntries(fields.map(([name], i) => [`#f${i}`, name])),
          ExpressionAttributeValues: Object.fromEntries(fields.map(([, value], i) => [`:v${i}`, value])),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async remove(tenant: string, recipient: string): Promise<boolean> {
    const { Attributes } = await this.#db.send(
      new DeleteCommand({ TableName: this.#table, Key: suppressionKey(tenant, recipient), ReturnValues: "ALL_OLD" }),
    );
    return Attributes !== undefined;
  }

  async list(tenant: string, page: { limit: number; cursor?: string | undefined }): Promise<SuppressionPageResult> {
    const pk = suppressionPartition(tenant);
    const after = page.cursor ? decodeSuppressionCursor(page.cursor) : undefined;
    const items: Suppression[] = [];
    let startKey: Record<string, unknown> | undefined = after === undefined ? undefined : { pk, sk: after };
    let more = true;
    // One past the page, so an exact last page says there is no next one.
    while (items.length <= page.limit && more) {
      const result = await this.#db.send(
        new QueryCommand({
          TableName: this.#table,
          KeyConditionExpression: "pk = :pk",
          ExpressionAttributeValues: { ":pk": pk },
          Limit: page.limit + 1 - items.length,
          ExclusiveStartKey: startKey,
          ConsistentRead: true,
        }),
      );
      for (const item of result.Items ?? []) items.push(toSuppression(item));
      startKey = result.LastEvaluatedKey;
      more = startKey !== undefined;
    }
    const shown = items.slice(0, page.limit);
    const last = shown.at(-1);
    return { items: shown, nextCursor: items.length > page.limit && last ? encodeSuppressionCursor(last.address) : null };
  }
}

function toSuppression(item: Record<string, unknown>): Suppression {
  const { pk: _pk, sk, ...rest } = item;
  return Suppression.parse({ ...rest, address: String(sk) });
}
