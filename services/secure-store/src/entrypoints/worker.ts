import { loadConfigOrExit } from "@herald/platform";
import { runWorkerProcess } from "@herald/queue";
import { loadConfig } from "../config";
import { buildDeps } from "../deps";
import { handleSecureStore } from "../domain/handle-message";

const config = loadConfigOrExit(loadConfig);
const deps = buildDeps(config);

runWorkerProcess({
  queueUrl: config.queueUrl,
  queueUrlVariable: "HERALD_SECURE_QUEUE_URL",
  batchSize: config.workerBatchSize,
  logger: deps.logger,
  handle: (envelope) => handleSecureStore(envelope, deps),
});
