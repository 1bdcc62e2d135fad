import { createSqsHandler } from "@herald/queue";
import { loadConfig } from "../config";
import { buildDeps } from "../deps";
import { handleSmsMessage } from "../domain/handle-message";

const deps = buildDeps(loadConfig());

export const handler = createSqsHandler(
  (envelope, context) => handleSmsMessage(envelope, { receiveCount: context.receiveCount }, deps),
  deps.logger,
);
