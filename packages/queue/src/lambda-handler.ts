import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import type { Logger } from "@herald/platform";
import { visibilityBackoff } from "./backoff";
import { processSqsRecords, type EnvelopeHandler, type RetryDelay } from "./process-records";

/**
 * An SQS-triggered Lambda handler that reports partial batch failures and backs off transient
 * ones (the function needs sqs:ChangeMessageVisibility on its queue).
 */
export function createSqsHandler(
  handle: EnvelopeHandler,
  logger: Logger,
  retryDelay: RetryDelay = visibilityBackoff({ logger }),
): (event: SQSEvent) => Promise<SQSBatchResponse> {
  return (event) => processSqsRecords(event.Records, handle, logger, retryDelay);
}
