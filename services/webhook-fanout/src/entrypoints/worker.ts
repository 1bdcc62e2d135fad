import { DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBStreamsClient } from "@aws-sdk/client-dynamodb-streams";
import { announceReady, loadConfigOrExit } from "@herald/platform";
import { startStreamPoller } from "../adapters/stream-poller";
import { toStreamChange } from "../adapters/stream-records";
import { loadConfig } from "../config";
import { buildDeps } from "../deps";
import { fanOut } from "../domain/fan-out";

/* The local fan-out: reads the table's stream as Lambda's event source mapping does on AWS. */
const config = loadConfigOrExit(loadConfig);
const deps = buildDeps(config);
const table = await new DynamoDBClient({}).send(new DescribeTableCommand({ TableName: config.tableName }));
const streamArn = table.Table?.LatestStreamArn;
if (!streamArn) {
  process.stderr.write(`herald: the table ${config.tableName} has no stream (provisioning enables it)\n`);
  process.exit(1);
}
const poller = await startStreamPoller({
  client: new DynamoDBStreamsClient({}),
  streamArn,
  pollMs: config.pollMs,
  logger: deps.logger,
  handle: async (records) => (await fanOut(records.map(toStreamChange), deps)).failedAt,
});
deps.logger.info("stream poller started", { pollMs: config.pollMs });
announceReady();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => void poller.stop().then(() => process.exit(0)));
}
