import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import type { Logger } from "@herald/platform";
import { visibilityBackoff } from "./backoff";
import type { QueueEnvelope } from "@herald/contracts";
import { processSqsRecords, type BodyParser, type RecordHandler, type RetryDelay } from "./process-records";

/** What the handler reads of the Lambda context: the invocation's remaining time. */
export type LambdaContext = Pick<Context, "getRemainingTimeInMillis">;

/**
 * An SQS-triggered Lambda handler that reports partial batch failures and backs off transient
 * ones (the function needs sqs:ChangeMessageVisibility on its queue). With `recordMs`, no record
 * starts once less than that is left of the invocation (context.getRemainingTimeInMillis): the
 * rest are handed back, not cut off by the timeout.
 */
export function createSqsHandler<Body = QueueEnvelope>(
  handle: RecordHandler<Body>,
  logger: Logger,
  retryDelay: RetryDelay = visibilityBackoff({ logger }),
  recordMs?: number,
  /** How a record's body is read: QueueEnvelopes unless given (parseEnvelope). */
  parse?: BodyParser<Body>,
): (event: SQSEvent, context?: LambdaContext) => Promise<SQSBatchResponse> {
  return (event, context) =>
    processSqsRecords(
      event.Records,
      handle,
      logger,
      retryDelay,
      context && recordMs !== undefined ? { remainingMs: () => context.getRemainingTimeInMillis(), recordMs } : undefined,
      parse,
    );
}
