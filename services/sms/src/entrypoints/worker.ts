import { SQSClient } from "@aws-sdk/client-sqs";
import { ConfigError, loadConfigOrExit } from "@herald/platform";
import { runWorkerProcess } from "@herald/queue";
import { loadConfig } from "../config";
import { buildDeps } from "../deps";
import { handleSmsMessage } from "../domain/handle-message";

const config = loadConfigOrExit(() => {
  const c = loadConfig();
  if (!c.queueUrl) throw new ConfigError("invalid configuration: HERALD_SMS_QUEUE_URL: is required for the worker");
  return { ...c, queueUrl: c.queueUrl };
});
const deps = buildDeps(config);

runWorkerProcess({
  client: new SQSClient({}),
  queueUrl: config.queueUrl,
  batchSize: config.workerBatchSize,
  logger: deps.logger,
  handle: (envelope, context) => handleSmsMessage(envelope, { receiveCount: context.receiveCount }, deps),
});
