import { SQSClient } from "@aws-sdk/client-sqs";
import { ConfigError, loadConfigOrExit } from "@herald/platform";
import { runWorkerProcess } from "@herald/queue";
import { loadConfig } from "../config";
import { buildDeps } from "../deps";
import { handleEmailMessage } from "../domain/handle-message";

const config = loadConfigOrExit(() => {
  const c = loadConfig();
  if (!c.queueUrl) throw new ConfigError("invalid configuration: HERALD_EMAIL_QUEUE_URL: is required for the worker");
  return { ...c, queueUrl: c.queueUrl };
});
const deps = buildDeps(config);

runWorkerProcess({
  client: new SQSClient({}),
  queueUrl: config.queueUrl,
  batchSize: config.workerBatchSize,
  logger: deps.logger,
  handle: (envelope, context) => handleEmailMessage(envelope, { receiveCount: context.receiveCount }, deps),
});
