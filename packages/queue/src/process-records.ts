import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import type { SQSBatchResponse, SQSRecord } from "aws-lambda";
import { QueueEnvelope } from "@herald/contracts";
import { AppError, type Logger } from "@herald/platform";

export type RecordContext = {
  /** SQS's ApproximateReceiveCount: 1 on the first delivery. */
  receiveCount: number;
  sqsMessageId: string;
  /**
   * How long the handler may still wait (for a send slot) before it must start its record: the
   * batch's remaining time less one record's budget. Below 0 it must not start the record at all
   * but throw NotStartedError. Unbounded (Infinity) without a time budget.
   */
  spareMs: () => number;
};

/**
 * The time a batch has, and what one record needs of it. On Lambda the invocation's remaining
 * time (context.getRemainingTimeInMillis); for the local worker its batch timeout. A record is
 * started only while at least `recordMs` is left: one whose send could not finish before the
 * invocation ends is handed back untouched instead of being cut off half-way.
 */
export type TimeBudget = {
  remainingMs: () => number;
  /** What one record may take at most: its sends' timeouts plus a margin for the store's calls. */
  recordMs: number;
};

/** Delays the next receive of a record that failed for a transient reason (visibilityBackoff on SQS). */
export type RetryDelay = (record: SQSRecord, receiveCount: number) => Promise<void>;

/** A queue's records → what its handler takes; throws PoisonMessageError for a body it cannot read. */
export type BodyParser<Body> = (record: SQSRecord) => Body;
export type RecordHandler<Body> = (body: Body, context: RecordContext) => Promise<void>;
/** The consumers' queues carry QueueEnvelopes (parseEnvelope); the events queue, SES events. */
export type EnvelopeHandler = RecordHandler<QueueEnvelope>;

export class PoisonMessageError extends AppError {
  constructor(sqsMessageId: string, cause?: unknown) {
    super("queue.poison_message", `message ${sqsMessageId} is not a valid envelope`, { retryable: false, cause });
    this.name = "PoisonMessageError";
  }
}

/**
 * A record that was not started: the batch ran out of time for it, or the worker is stopping.
 * Reported as a batch item failure (SQS delivers it again) without anything written about it: no
 * claim, no attempt, nothing in its history. Retryable, so it is backed off like a transient failure.
 */
export class NotStartedError extends AppError {
  constructor(why: string) {
    super("queue.not_started", `not started: ${why}`, { retryable: true });
    this.name = "NotStartedError";
  }
}

export function parseEnvelope(record: SQSRecord): QueueEnvelope {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch (error) {
    throw new PoisonMessageError(record.messageId, error);
  }
  const parsed = QueueEnvelope.safeParse(body);
  if (!parsed.success) throw new PoisonMessageError(record.messageId, parsed.error);
  return parsed.data;
}

/**
 * The one place SQS records become envelope handler calls, shared by the Lambda handler and the
 * local worker. A record whose handler throws is reported as a batch item failure, so only it is
 * received again; the rest of the batch is deleted. A poison record fails the same way and, after
 * the queue's maxReceiveCount, lands in the dead-letter queue without blocking its batch.
 * A transient failure is retried later rather than at once: `retryDelay` backs it off.
 *
 * Records are handled one after another, not in parallel: a process that dies mid-batch then has
 * at most one send between "provider accepted" and "recorded sent", so a crash duplicates at most
 * one message. Throughput comes from more workers (Lambda concurrency, worker processes).
 *
 * With a time budget, no record starts with less than one record's budget left: the rest are
 * handed back as batch item failures, never handed to the handler (see NotStartedError). Without
 * it, a slow provider lets the invocation time out, and the whole batch comes back, the records
 * never attempted with their receive counts raised all the same.
 */
export async function processSqsRecords<Body = QueueEnvelope>(
  records: SQSRecord[],
  handle: RecordHandler<Body>,
  logger: Logger,
  retryDelay?: RetryDelay,
  budget?: TimeBudget,
  parse: BodyParser<Body> = parseEnvelope as unknown as BodyParser<Body>,
): Promise<SQSBatchResponse> {
  const processor = new BatchProcessor(EventType.SQS);
  const spareMs = budget ? () => budget.remainingMs() - budget.recordMs : () => Number.POSITIVE_INFINITY;
  let seen = 0;
  let handedBack = 0;
  let firstCut: number | undefined;
  const response = await processPartialResponse(
    { Records: records },
    async (record: SQSRecord) => {
      const index = seen++;
      const context: RecordContext = {
        receiveCount: Number(record.attributes.ApproximateReceiveCount ?? "1"),
        sqsMessageId: record.messageId,
        spareMs,
      };
      try {
        if (spareMs() < 0) {
          firstCut ??= index;
          throw new NotStartedError("too little time left in this batch");
        }
        await handle(parse(record), context);
      } catch (error) {
        const retryable = error instanceof AppError ? error.retryable : true;
        if (retryable && retryDelay) await retryDelay(record, context.receiveCount);
        if (error instanceof NotStartedError) {
          handedBack += 1;
          throw error;
        }
        logger.warn("record failed", {
          sqsMessageId: record.messageId,
          receiveCount: context.receiveCount,
          code: error instanceof AppError ? error.code : "internal",
          retryable,
          error: error instanceof Error ? error.name : "unknown",
        });
        throw error;
      }
    },
    processor,
    { throwOnFullBatchFailure: false, processInParallel: false },
  );
  if (handedBack > 0) {
    const fields = { handedBack, records: records.length, ...(budget && { remainingMs: Math.round(budget.remainingMs()), recordMs: budget.recordMs }) };
    // Not even the first record fitted: the timeout is below one record's budget, so nothing would ever be sent.
    if (firstCut === 0) logger.error("no time for even one record; all handed back", fields);
    else logger.info("records handed back, not started", fields);
  }
  return response;
}
