import { ConditionalCheckFailedException, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { rateKey } from "@herald/table";
import { documentClient } from "@herald/table/client";
import type { RateLimiter } from "./rate-limiter";

/*
 * A send rate shared by every worker of a consumer, wherever it runs (SES's account send rate).
 * One item in the messages table (RATE#<name> | schedule) holds the time at which the next send
 * slot is free, as GCRA's "theoretical arrival time": slots are points on one timeline, one
 * interval (1/rate) apart, and a worker takes a block of them at once by moving that time on by
 * block × interval. Blocks never overlap, so N workers together send at the rate exactly, not
 * above it, and one write pays for a block of sends, not one each.
 *
 * Two ways to move it on. While the timeline is busy (the worker saw it at or ahead of "now"
 * within a block's span), an atomic ADD: it cannot be refused, so workers that take blocks at the
 * same time never pay for each other's writes (with conditional writes every block cost about two,
 * one of them refused). The time only ever grows, so a block added to a timeline seen busy is never
 * in the past. Otherwise (a first send, or after a pause) a conditional SET from "now", on the
 * value last seen (a refused write returns the current value, so a retry costs no read): an ADD
 * there would hand out slots in the past, a burst.
 *
 * An idle timeline starts at "now": no credit builds up while nothing is sent. A worker may use a
 * slot up to one block's span late (a send before it took longer than the interval); a slot later
 * than that is dropped (spending it would be a burst). Dropped slots are rate not used, never
 * rate exceeded.
 */
export class DynamoRateLimiter implements RateLimiter {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #name: string;
  /** One slot's span, in microseconds (integers: the schedule is compared for equality). */
  readonly #intervalUs: number;
  readonly #block: number;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  /** The slots this worker holds, ascending, in microseconds since the epoch. */
  #slots: number[] = [];
  /** The schedule's value as this worker last saw it (its own write, or a refusal's answer). */
  #known: number | undefined;
  #claiming: Promise<void> | undefined;

  constructor(
    client: DynamoDBClient,
    tableName: string,
    options: {
      name: string;
      perSecond: number;
      /** Slots per write; a quarter second's worth (at most 10) unless given. */
      blockSize?: number;
      now?: () => number;
      sleep?: (ms: number) => Promise<void>;
    },
  ) {
    this.#db = documentClient(client);
    this.#table = tableName;
    this.#name = options.name;
    this.#intervalUs = Math.round(1_000_000 / options.perSecond);
    this.#block = options.blockSize ?? Math.min(10, Math.max(1, Math.floor(options.perSecond / 4)));
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async acquire(maxWaitMs = Number.POSITIVE_INFINITY): Promise<boolean> {
    const giveUpAtUs = (this.#now() + maxWaitMs) * 1000;
    for (;;) {
      const nowUs = this.#now() * 1000;
      const staleBefore = nowUs - this.#block * this.#intervalUs;
      while (this.#slots.length > 0 && (this.#slots[0] as number) < staleBefore) this.#slots.shift();
      const slot = this.#slots[0];
      if (slot !== undefined) {
        // too far off for this caller (its time budget): it does not send; the slot stays for the next
        if (slot > giveUpAtUs) return false;
        this.#slots.shift();
        if (slot > nowUs) await this.#sleep(Math.ceil((slot - nowUs) / 1000));
        return true;
      }
      // concurrent callers of one worker share one claim
      this.#claiming ??= this.#claim().finally(() => {
        this.#claiming = undefined;
      });
      await this.#claiming;
    }
  }

  /** Takes the next block of slots on the shared timeline: one write; two when a paused timeline was restarted by another worker first. */
  async #claim(): Promise<void> {
    const span = this.#block * this.#intervalUs;
    let restart = false;
    for (;;) {
      const nowUs = Math.round(this.#now() * 1000);
      const known = this.#known;
      if (!restart && known !== undefined && known >= nowUs - span) {
        const { Attributes } = await this.#db.send(
          new UpdateCommand({
            TableName: this.#table,
            Key: rateKey(this.#name, "schedule"),
            UpdateExpression: "ADD next_us :span",
            ExpressionAttributeValues: { ":span": span },
            ReturnValues: "UPDATED_NEW",
          }),
        );
        const end = Number(Attributes?.next_us);
        this.#known = end;
        const start = end - span;
        // never in the past (see above), unless the item was removed (by hand): then restart it from now
        if (start < nowUs - span) {
          restart = true;
          continue;
        }
        for (let i = 0; i < this.#block; i++) this.#slots.push(start + i * this.#intervalUs);
        return;
      }
      const start = known === undefined ? nowUs : Math.max(known, nowUs);
      const next = start + span;
      try {
        await this.#db.send(
          new UpdateCommand({
            TableName: this.#table,
            Key: rateKey(this.#name, "schedule"),
            UpdateExpression: "SET next_us = :next",
            ConditionExpression: known === undefined ? "attribute_not_exists(next_us) OR next_us <= :now" : "next_us = :known",
            ExpressionAttributeValues: { ":next": next, ...(known === undefined ? { ":now": nowUs } : { ":known": known }) },
            ReturnValuesOnConditionCheckFailure: "ALL_OLD",
          }),
        );
        this.#known = next;
        for (let i = 0; i < this.#block; i++) this.#slots.push(start + i * this.#intervalUs);
        return;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        // the schedule as the winner left it (a raw attribute value: the document client does not unmarshall errors)
        const current = (error.Item as { next_us?: { N?: string } } | undefined)?.next_us?.N;
        this.#known = current === undefined ? undefined : Number(current);
      }
    }
  }
}
