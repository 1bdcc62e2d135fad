import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import type { Logger } from "@herald/platform";
import { processSqsRecords, type EnvelopeHandler } from "./process-records";

/** An SQS-triggered Lambda handler that reports partial batch failures. */
export function createSqsHandler(handle: EnvelopeHandler, logger: Logger): (event: SQSEvent) => Promise<SQSBatchResponse> {
  return (event) => processSqsRecords(event.Records, handle, logger);
}
