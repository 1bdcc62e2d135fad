import { ConditionalCheckFailedException, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { rateKey } from "@herald/table";
import { documentClient } from "@herald/table/client";
import type { RateLimiter } from "./rate-limiter";

/**
 * A send rate shared by every worker of a consumer, wherever it runs: one counter item per
 * window in the messages table (RATE#<name> | <window>), taken with a conditional ADD, so N
 * processes or Lambda instances together stay at or under the rate (SES's account send rate).
 * Windows of 100 ms, each allowed a tenth of the rate, pace sending through the second instead
 * of letting it burst at the top of each second. One write per send; items expire by TTL.
 */
export class DynamoRateLimiter implements RateLimiter {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #name: string;
  readonly #perWindow: number;
  readonly #windowMs: number;
  readonly #now: () => number;

  constructor(client: DynamoDBClient, tableName: string, options: { name: string; perSecond: number; now?: () => number }) {
    this.#db = documentClient(client);
    this.#table = tableName;
    this.#name = options.name;
    // Below 10/s a 100 ms window would allow less than one send: use longer windows instead.
    this.#windowMs = options.perSecond >= 10 ? 100 : Math.ceil(1000 / options.perSecond);
    this.#perWindow = Math.max(1, Math.floor((options.perSecond * this.#windowMs) / 1000));
    this.#now = options.now ?? Date.now;
  }

  async acquire(maxWaitMs = Number.POSITIVE_INFINITY): Promise<boolean> {
    const giveUpAt = this.#now() + maxWaitMs;
    for (;;) {
      const now = this.#now();
      const window = Math.floor(now / this.#windowMs);
      try {
        await this.#db.send(
          new UpdateCommand({
            TableName: this.#table,
            Key: rateKey(this.#name, window),
            UpdateExpression: "ADD used :one SET expires_at = if_not_exists(expires_at, :ttl)",
            ConditionExpression: "attribute_not_exists(used) OR used < :max",
            ExpressionAttributeValues: { ":one": 1, ":max": this.#perWindow, ":ttl": Math.floor(now / 1000) + 3600 },
          }),
        );
        return true;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
      // Full: wait for the next window, with a little jitter so waiters do not collide; unless
      // that is later than the caller can wait (its time budget), who then does not send at all.
      const wait = (window + 1) * this.#windowMs - now + Math.floor(Math.random() * Math.min(20, this.#windowMs / 5));
      if (now + wait > giveUpAt) return false;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}
