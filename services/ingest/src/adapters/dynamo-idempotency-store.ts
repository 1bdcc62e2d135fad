import { createHash } from "node:crypto";
import { ConditionalCheckFailedException, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { idempotencyKey } from "@herald/table";
import { documentClient } from "@herald/table/client";
import type {
  BeginRequest,
  BeginResult,
  IdempotencyEntry,
  IdempotencyScope,
  IdempotencyStore,
  KeyClaim,
  StoredResponse,
} from "../ports/idempotency-store";

/*
 * Idempotency keys share the messages table (@herald/table): IDEM#<tenant>#<sha256(principal,
 * key)> | IDEM, with the table's TTL attribute `expires_at` clearing them after 24 h. The key
 * itself is hashed: it is the caller's string and may carry anything. An entry in progress names
 * the message it stands for (`message_id`) and holds a lease (`lease_until`, epoch ms); the
 * lease is also the holder's token, so a request that lost the key to a takeover can neither
 * complete nor release it.
 */
const itemKey = (scope: IdempotencyScope) =>
  idempotencyKey(scope.tenant, createHash("sha256").update(`${scope.principal}\n${scope.key}`, "utf8").digest("hex"));

const conditionFailed = (error: unknown) => error instanceof ConditionalCheckFailedException;

export class DynamoIdempotencyStore implements IdempotencyStore {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(client: DynamoDBClient, tableName: string) {
    this.#db = documentClient(client);
    this.#table = tableName;
  }

  async begin(scope: IdempotencyScope, request: BeginRequest): Promise<BeginResult> {
    const { fingerprint, messageId, now, ttlSeconds, leaseSeconds } = request;
    const epoch = Math.floor(now.getTime() / 1000);
    const leaseUntil = now.getTime() + leaseSeconds * 1000;
    try {
      await this.#db.send(
        new PutCommand({
          TableName: this.#table,
          Item: {
            ...itemKey(scope),
            fingerprint,
            state: "in_progress",
            message_id: messageId,
            lease_until: leaseUntil,
            created_at: now.toISOString(),
            expires_at: epoch + ttlSeconds,
          },
          ConditionExpression: "attribute_not_exists(pk) OR expires_at < :now",
          ExpressionAttributeValues: { ":now": epoch },
        }),
      );
      return { claimed: true, claim: { messageId, leaseUntil, takenOver: false } };
    } catch (error) {
      if (!conditionFailed(error)) throw error;
    }
    const { Item } = await this.#db.send(new GetCommand({ TableName: this.#table, Key: itemKey(scope), ConsistentRead: true }));
    // Released between our write and our read: the caller may simply retry.
    if (!Item) return { claimed: false, entry: { fingerprint, state: "in_progress" } };
    const entry = toEntry(Item);
    if (entry.state !== "in_progress" || entry.fingerprint !== fingerprint) return { claimed: false, entry };
    const taken = await this.#takeOver(scope, request, leaseUntil);
    return taken ? { claimed: true, claim: taken } : { claimed: false, entry };
  }

  /**
   * The lease ran out (its request died, or timed out, between begin and complete): take the key
   * over, keeping its message id. The condition, not what we read, decides, so of two retries
   * at once only one gets it. An entry written before leases existed has neither lease nor
   * message id; it counts as leased for the lease length from its creation.
   */
  async #takeOver(scope: IdempotencyScope, request: BeginRequest, leaseUntil: number): Promise<KeyClaim | undefined> {
    const { now, leaseSeconds } = request;
    try {
      const { Attributes } = await this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: itemKey(scope),
          UpdateExpression: "SET lease_until = :lease, message_id = if_not_exists(message_id, :id)",
          ConditionExpression:
            "#state = :in_progress AND fingerprint = :fingerprint AND expires_at >= :now AND " +
            "(lease_until < :nowMs OR (attribute_not_exists(lease_until) AND created_at < :leasedSince))",
          ExpressionAttributeNames: { "#state": "state" },
          ExpressionAttributeValues: {
            ":lease": leaseUntil,
            ":id": request.messageId,
            ":in_progress": "in_progress",
            ":fingerprint": request.fingerprint,
            ":now": Math.floor(now.getTime() / 1000),
            ":nowMs": now.getTime(),
            ":leasedSince": new Date(now.getTime() - leaseSeconds * 1000).toISOString(),
          },
          ReturnValues: "ALL_NEW",
        }),
      );
      return { messageId: String(Attributes?.message_id), leaseUntil, takenOver: true };
    } catch (error) {
      if (conditionFailed(error)) return undefined;
      throw error;
    }
  }

  async complete(scope: IdempotencyScope, claim: KeyClaim, response: StoredResponse): Promise<boolean> {
    try {
      await this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: itemKey(scope),
          UpdateExpression: "SET #state = :done, #response = :response REMOVE lease_until",
          ConditionExpression: "#state = :in_progress AND lease_until = :lease",
          ExpressionAttributeNames: { "#state": "state", "#response": "response" },
          ExpressionAttributeValues: { ":done": "done", ":response": response, ":in_progress": "in_progress", ":lease": claim.leaseUntil },
        }),
      );
      return true;
    } catch (error) {
      if (conditionFailed(error)) return false;
      throw error;
    }
  }

  async release(scope: IdempotencyScope, claim: KeyClaim): Promise<void> {
    try {
      await this.#db.send(
        new DeleteCommand({
          TableName: this.#table,
          Key: itemKey(scope),
          ConditionExpression: "#state = :in_progress AND lease_until = :lease",
          ExpressionAttributeNames: { "#state": "state" },
          ExpressionAttributeValues: { ":in_progress": "in_progress", ":lease": claim.leaseUntil },
        }),
      );
    } catch (error) {
      if (!conditionFailed(error)) throw error;
    }
  }
}

function toEntry(item: Record<string, unknown>): IdempotencyEntry {
  const response = item.response as StoredResponse | undefined;
  return {
    fingerprint: String(item.fingerprint),
    state: item.state === "done" ? "done" : "in_progress",
    ...(response && { response }),
  };
}
