import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from "aws-lambda";
import { loadConfigOrExit } from "@herald/platform";
import { toStreamChange } from "../adapters/stream-records";
import { loadConfig } from "../config";
import { buildDeps } from "../deps";
import { fanOut } from "../domain/fan-out";

const deps = buildDeps(loadConfigOrExit(loadConfig));

/**
 * The table's stream (MSG# items only, by the event source mapping's filter) → webhook jobs. A
 * failure names its record (ReportBatchItemFailures): Lambda retries from it, in order.
 */
export async function handler(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const { failedAt } = await fanOut(event.Records.map(toStreamChange), deps);
  return { batchItemFailures: failedAt === undefined ? [] : [{ itemIdentifier: failedAt }] };
}
