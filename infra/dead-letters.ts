import { CHANNELS, dlqUrlSetting } from "@herald/contracts";
import { config } from "./config";
import { lambdaDefaults, lambdaEnvironment } from "./lambda";
import { appKey } from "./keys";
import { queues } from "./queues";
import { table, tableAccess } from "./storage";

/*
 * The dead-letter sweeper: every minute it reads each channel's dead-letter queue and marks
 * `dead_lettered` the messages whose consumer never recorded an outcome (it timed out or crashed,
 * or handed the record back unstarted until its receives ran out), so their status is true
 * (services/dead-letters). Not an event source mapping or an EventBridge Pipe: both delete what
 * they deliver, and dead letters must stay for `npm run dlq -- redrive` (or SQS's own redrive).
 * It receives with a visibility timeout and hands each message back at once when done, and may
 * not delete one: no sqs:DeleteMessage. The secure-store queue's dead letters are not about
 * delivery, so its DLQ is not swept.
 *
 * Cost when the dead-letter queues are empty: one invocation and a GetQueueAttributes per queue a
 * minute. With messages waiting, at most 1,000 per queue are read per sweep, one GetItem each, and
 * an UpdateItem only for those not yet final.
 */
export const deadLetterSweeper = new sst.aws.Cron("DeadLetterSweeper", {
  schedule: "rate(1 minute)",
  function: {
    handler: "services/dead-letters/src/entrypoints/lambda.handler",
    runtime: "nodejs22.x",
    // The sweep stops reading with 10 s left; its messages are held for 60 s at most.
    timeout: "60 seconds",
    memory: "256 MB",
    ...lambdaDefaults(config),
    environment: {
      HERALD_TABLE_NAME: table.name,
      ...Object.fromEntries(CHANNELS.map((channel) => [dlqUrlSetting(channel), queues[channel].dlq.url])),
      HERALD_LOG_LEVEL: config.logLevel,
      ...lambdaEnvironment(config),
    },
    permissions: [
      // read a message (a Query of its partition: the record and its content item), and mark it
      // (a conditional UpdateItem): message items only
      tableAccess(["dynamodb:Query", "dynamodb:UpdateItem"], ["message"]),
      // look (and hand back), never delete
      {
        actions: ["sqs:GetQueueAttributes", "sqs:ReceiveMessage", "sqs:ChangeMessageVisibility"],
        resources: CHANNELS.map((channel) => queues[channel].dlq.arn),
      },
      // the dead-letter queues and the table are encrypted with the app key
      appKey(["kms:Decrypt"], ["sqs", "dynamodb"]),
    ],
  },
});
