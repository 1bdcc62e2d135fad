import { createSqsHandler } from "@herald/queue";
import { loadConfig } from "../config";
import { buildDeps } from "../deps";
import { handleEmailMessage } from "../domain/handle-message";

const deps = buildDeps(loadConfig());

export const handler = createSqsHandler(
  (envelope, context) => handleEmailMessage(envelope, { receiveCount: context.receiveCount }, deps),
  deps.logger,
);
