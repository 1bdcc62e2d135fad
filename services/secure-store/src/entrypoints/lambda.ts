import { createSqsHandler } from "@herald/queue";
import { loadConfig } from "../config";
import { buildDeps } from "../deps";
import { handleSecureStore } from "../domain/handle-message";

const deps = buildDeps(loadConfig());

export const handler = createSqsHandler((envelope) => handleSecureStore(envelope, deps), deps.logger);
