import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import type { SQSBatchResponse, SQSRecord } from "aws-lambda";
import { QueueEnvelope } from "@herald/contracts";
import { AppError, type Logger } from "@herald/platform";

export type RecordContext = {
  /** SQS's ApproximateReceiveCount: 1 on the first delivery. */
  receiveCount: number;
  sqsMessageId: string;
};

/** Delays the next receive of a record that failed for a transient reason (visibilityBackoff on SQS). */
export type RetryDelay = (record: SQSRecord, receiveCount: number) => Promise<void>;

export type EnvelopeHandler = (envelope: QueueEnvelope, context: RecordContext) => Promise<void>;

export class PoisonMessageError extends AppError {
  constructor(sqsMessageId: string, cause?: unknown) {
    super("queue.poison_message", `message ${sqsMessageId} is not a valid envelope`, { retryable: false, cause });
    this.name = "PoisonMessageError";
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
 */
export async function processSqsRecords(
  records: SQSRecord[],
  handle: EnvelopeHandler,
  logger: Logger,
  retryDelay?: RetryDelay,
): Promise<SQSBatchResponse> {
  const processor = new BatchProcessor(EventType.SQS);
  return processPartialResponse(
    { Records: records },
    async (record: SQSRecord) => {
      const context: RecordContext = {
        receiveCount: Number(record.attributes.ApproximateReceiveCount ?? "1"),
        sqsMessageId: record.messageId,
      };
      try {
        await handle(parseEnvelope(record), context);
      } catch (error) {
        const retryable = error instanceof AppError ? error.retryable : true;
        if (retryable && retryDelay) await retryDelay(record, context.receiveCount);
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
}
