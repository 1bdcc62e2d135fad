import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { apiKeyKey, PARTITIONS } from "@herald/table";
import { documentClient } from "@herald/table/client";
import { ApiKeyRecord, type ApiKeyStore } from "./api-keys";

/*
 * API keys share the messages table (@herald/table): partition APIKEY, sort key = the key's
 * SHA-256. Keys are few, so one partition holds them all, a lookup is a GetItem and a list is one
 * Query.
 */
const PK = PARTITIONS.apiKey;

export class DynamoApiKeyStore implements ApiKeyStore {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(client: DynamoDBClient, tableName: string) {
    this.#db = documentClient(client);
    this.#table = tableName;
  }

  async put(record: ApiKeyRecord): Promise<void> {
    await this.#db.send(
      new PutCommand({
        TableName: this.#table,
        Item: { ...apiKeyKey(record.hash), ...record },
        ConditionExpression: "attribute_not_exists(pk)",
      }),
    );
  }

  async findByHash(hash: string): Promise<ApiKeyRecord | undefined> {
    const { Item } = await this.#db.send(new GetCommand({ TableName: this.#table, Key: apiKeyKey(hash) }));
    return Item ? toRecord(Item) : undefined;
  }

  async list(): Promise<ApiKeyRecord[]> {
    const records: ApiKeyRecord[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.#db.send(
        new QueryCommand({
          TableName: this.#table,
          KeyConditionExpression: "pk = :pk",
          ExpressionAttributeValues: { ":pk": PK },
          ExclusiveStartKey: startKey,
        }),
      );
      records.push(...(page.Items ?? []).map(toRecord));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return records;
  }

  async revoke(keyId: string, at: Date): Promise<boolean> {
    const record = (await this.list()).find((r) => r.key_id === keyId);
    if (!record) return false;
    await this.#db.send(
      new UpdateCommand({
        TableName: this.#table,
        Key: apiKeyKey(record.hash),
        UpdateExpression: "SET revoked_at = if_not_exists(revoked_at, :at)",
        ExpressionAttributeValues: { ":at": at.toISOString() },
      }),
    );
    return true;
  }
}

function toRecord(item: Record<string, unknown>): ApiKeyRecord {
  const { pk: _pk, sk: _sk, ...record } = item;
  return ApiKeyRecord.parse(record);
}
