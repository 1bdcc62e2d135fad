import { loadConfigOrExit } from "@herald/platform";
import { runWorkerProcess } from "@herald/queue";
import { loadConfig } from "../config";
import { buildDeps, describeTransports } from "../deps";
import { handleEmailMessage } from "../domain/handle-message";

const config = loadConfigOrExit(loadConfig);
const deps = buildDeps(config);
deps.logger.info("email transports", { transports: describeTransports(config) });

runWorkerProcess({
  queueUrl: config.queueUrl,
  queueUrlVariable: "HERALD_EMAIL_QUEUE_URL",
  batchSize: config.workerBatchSize,
  logger: deps.logger,
  handle: (envelope, context) => handleEmailMessage(envelope, { receiveCount: context.receiveCount }, deps),
  close: () => deps.sender.close(),
});
