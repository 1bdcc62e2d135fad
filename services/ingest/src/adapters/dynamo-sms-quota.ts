import { ConditionalCheckFailedException, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { quotaKey } from "@herald/table";
import { documentClient } from "@herald/table/client";
import { utcDay, type SmsQuota } from "../ports/sms-quota";

/** Kept a week past its day, for an operator to look at, then removed by the table's TTL. */
const KEEP_SECONDS = 8 * 24 * 60 * 60;

/*
 * One counter item per tenant and UTC day in the messages table (QUOTA#<tenant> | sms#<day>),
 * taken with a conditional ADD as DynamoRateLimiter takes its windows: of any number of
 * concurrent takes across instances, exactly the allowance succeeds. One write per SMS.
 */
export class DynamoSmsQuota implements SmsQuota {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #perDay: number;

  constructor(client: DynamoDBClient, tableName: string, options: { perDay: number }) {
    this.#db = documentClient(client);
    this.#table = tableName;
    this.#perDay = options.perDay;
  }

  async take(tenant: string, at: Date): Promise<boolean> {
    try {
      await this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: quotaKey(tenant, "sms", utcDay(at)),
          UpdateExpression: "ADD used :one SET expires_at = if_not_exists(expires_at, :ttl)",
          ConditionExpression: "attribute_not_exists(used) OR used < :max",
          ExpressionAttributeValues: { ":one": 1, ":max": this.#perDay, ":ttl": Math.floor(at.getTime() / 1000) + KEEP_SECONDS },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async giveBack(tenant: string, at: Date): Promise<void> {
    try {
      await this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: quotaKey(tenant, "sms", utcDay(at)),
          UpdateExpression: "ADD used :minus",
          ConditionExpression: "used > :zero",
          ExpressionAttributeValues: { ":minus": -1, ":zero": 0 },
        }),
      );
    } catch (error) {
      // Nothing to give back (already at zero): the counter never goes negative.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}
