import { loadConfigOrExit } from "@herald/platform";
import { runWorkerProcess } from "@herald/queue";
import { loadConfig } from "../config";
import { buildDeps } from "../deps";
import { handleSmsMessage } from "../domain/handle-message";

const config = loadConfigOrExit(loadConfig);
const deps = buildDeps(config);

runWorkerProcess({
  queueUrl: config.queueUrl,
  queueUrlVariable: "HERALD_SMS_QUEUE_URL",
  batchSize: config.workerBatchSize,
  logger: deps.logger,
  handle: (envelope, context) => handleSmsMessage(envelope, { receiveCount: context.receiveCount }, deps),
});
