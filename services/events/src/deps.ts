import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { RECORD_MARGIN_MS } from "@herald/delivery";
import type { Consumer } from "@herald/delivery/runtime";
import { DynamoMessageStore, DynamoSuppressionList } from "@herald/messages/dynamo";
import { createLogger, systemClock } from "@herald/platform";
import { loadConfig, type EventsConfig } from "./config";
import { handleEvent, type EventDeps } from "./domain/handle-event";
import { parseEventRecord, type EventRecord } from "./domain/ses-event";

/** The events consumer as its Lambda handler and its worker run it (see @herald/delivery/runtime). */
export const eventsConsumer: Consumer<EventsConfig, EventDeps, EventRecord> = {
  loadConfig,
  buildDeps,
  parse: parseEventRecord,
  handle: (record, _delivery, deps) => handleEvent(record, deps),
  // DynamoDB calls only (with the SDK's retries): no provider is called.
  recordBudgetMs: () => RECORD_MARGIN_MS,
  queueUrlVariable: "HERALD_EVENTS_QUEUE_URL",
};

/** The composition root: adapters built once per process. */
export function buildDeps(config: EventsConfig): EventDeps {
  const dynamo = new DynamoDBClient({});
  return {
    store: new DynamoMessageStore(dynamo, config.tableName),
    suppressions: new DynamoSuppressionList(dynamo, config.tableName),
    clock: systemClock,
    logger: createLogger("events", config.logLevel),
  };
}
