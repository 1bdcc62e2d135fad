import { SQSClient } from "@aws-sdk/client-sqs";
import { ConfigError, loadConfigOrExit } from "@herald/platform";
import { startSqsWorker } from "@herald/queue";
import { loadConfig } from "../config";
import { buildDeps } from "../deps";
import { handleEmailMessage } from "../domain/handle-message";

const config = loadConfigOrExit(() => {
  const c = loadConfig();
  if (!c.queueUrl) throw new ConfigError("invalid configuration: HERALD_EMAIL_QUEUE_URL: is required for the worker");
  return c;
});
const deps = buildDeps(config);

const worker = startSqsWorker({
  client: new SQSClient({}),
  queueUrl: config.queueUrl as string,
  batchSize: config.workerBatchSize,
  logger: deps.logger,
  handle: (envelope, context) => handleEmailMessage(envelope, { receiveCount: context.receiveCount }, deps),
});
deps.logger.info("worker started", { batchSize: config.workerBatchSize });

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    deps.logger.info("stopping", { signal });
    void worker.stop().then(() => process.exit(0));
  });
}
