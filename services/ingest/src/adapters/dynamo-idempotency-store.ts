import { createHash } from "node:crypto";
import { ConditionalCheckFailedException, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { idempotencyKey } from "@herald/table";
import { documentClient } from "@herald/table/client";
import type { BeginResult, IdempotencyEntry, IdempotencyScope, IdempotencyStore, StoredResponse } from "../ports/idempotency-store";

/*
 * Idempotency keys share the messages table (@herald/table): IDEM#<tenant>#<sha256(principal,
 * key)> | IDEM, with the table's TTL attribute `expires_at` clearing them after 24 h. The key
 * itself is hashed: it is the caller's string and may carry anything.
 */
const itemKey = (scope: IdempotencyScope) =>
  idempotencyKey(scope.tenant, createHash("sha256").update(`${scope.principal}\n${scope.key}`, "utf8").digest("hex"));

export class DynamoIdempotencyStore implements IdempotencyStore {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(client: DynamoDBClient, tableName: string) {
    this.#db = documentClient(client);
    this.#table = tableName;
  }

  async begin(scope: IdempotencyScope, fingerprint: string, now: Date, ttlSeconds: number): Promise<BeginResult> {
    const epoch = Math.floor(now.getTime() / 1000);
    try {
      await this.#db.send(
        new PutCommand({
          TableName: this.#table,
          Item: { ...itemKey(scope), fingerprint, state: "in_progress", created_at: now.toISOString(), expires_at: epoch + ttlSeconds },
          ConditionExpression: "attribute_not_exists(pk) OR expires_at < :now",
          ExpressionAttributeValues: { ":now": epoch },
        }),
      );
      return { claimed: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const { Item } = await this.#db.send(new GetCommand({ TableName: this.#table, Key: itemKey(scope), ConsistentRead: true }));
    // Released between our write and our read: the caller may simply retry.
    if (!Item) return { claimed: false, entry: { fingerprint, state: "in_progress" } };
    return { claimed: false, entry: Item as IdempotencyEntry };
  }

  async complete(scope: IdempotencyScope, response: StoredResponse): Promise<void> {
    await this.#db.send(
      new UpdateCommand({
        TableName: this.#table,
        Key: itemKey(scope),
        UpdateExpression: "SET #state = :done, #response = :response",
        ExpressionAttributeNames: { "#state": "state", "#response": "response" },
        ExpressionAttributeValues: { ":done": "done", ":response": response },
      }),
    );
  }

  async release(scope: IdempotencyScope): Promise<void> {
    await this.#db.send(new DeleteCommand({ TableName: this.#table, Key: itemKey(scope) }));
  }
}
