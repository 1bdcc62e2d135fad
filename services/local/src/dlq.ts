/**
 * `npm run dlq -- list`                       messages waiting in each dead-letter queue
 * `npm run dlq -- show QUEUE [--limit N]`     why they died: the record's status and failure
 * `npm run dlq -- redrive QUEUE [--limit N]`  back to the source queue, records set to retrying
 *
 * QUEUE is email, sms or secure-store. Works against the running local stack (.herald/local.json)
 * or, with HERALD_TABLE_NAME and HERALD_<EMAIL|SMS|SECURE>_{QUEUE,DLQ}_URL set, a deployed stage.
 * A message that is not an envelope (poison) is shown but never redriven: it would only die again.
 */
import { parseArgs } from "node:util";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  type Message,
} from "@aws-sdk/client-sqs";
import { dlqUrlField, dlqUrlSetting, QUEUE_NAMES, QueueEnvelope, queueUrlField, queueUrlSetting, type MessageRecord, type QueueName } from "@herald/contracts";
import { DynamoMessageStore } from "@herald/messages/dynamo";
import { emulatorClientConfig } from "@herald/testing";
import { loadLocalConfig, quietSdkNodeWarning } from "./config";

quietSdkNodeWarning();
import { readState } from "./state";

const QUEUES = QUEUE_NAMES;
type Pair = { source: string; dlq: string };

const USAGE = `usage:
  npm run dlq -- list
  npm run dlq -- show QUEUE [--limit N]
  npm run dlq -- redrive QUEUE [--limit N]
QUEUE: ${QUEUES.join(", ")}`;

class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

async function resolve() {
  const config = loadLocalConfig();
  const env = config.passthrough;
  const state = env.HERALD_TABLE_NAME ? undefined : await readState(config.stateDir);
  const clientConfig = state && !config.endpoint ? emulatorClientConfig(state.awsEndpoint) : {};
  // A deployed stage's URLs from HERALD_<QUEUE>_{QUEUE,DLQ}_URL, else the running local stack's.
  const pair = (name: QueueName): Pair | undefined => {
    const s = env[queueUrlSetting(name)] ?? state?.[queueUrlField(name)];
    const d = env[dlqUrlSetting(name)] ?? state?.[dlqUrlField(name)];
    return s && d ? { source: s, dlq: d } : undefined;
  };
  const pairs: Partial<Record<QueueName, Pair>> = Object.fromEntries(QUEUE_NAMES.map((name) => [name, pair(name)]));
  const tableName = env.HERALD_TABLE_NAME ?? state?.tableName;
  if (!tableName) throw new UsageError("no local stack is running (.herald/local.json) and HERALD_TABLE_NAME is not set");
  return { pairs, store: new DynamoMessageStore(new DynamoDBClient(clientConfig), tableName), sqs: new SQSClient(clientConfig) };
}

function pick(pairs: Partial<Record<QueueName, Pair>>, name: string | undefined): Pair {
  if (!name || !(QUEUES as readonly string[]).includes(name)) throw new UsageError(`QUEUE must be one of ${QUEUES.join(", ")}`);
  const pair = pairs[name as QueueName];
  if (!pair) throw new UsageError(`no queue URLs known for ${name}`);
  return pair;
}

async function receive(sqs: SQSClient, url: string, limit: number, hold: number): Promise<Message[]> {
  const out: Message[] = [];
  // The dead-letter sweeper holds what it reads for a moment (services/dead-letters): an empty
  // answer is believed only the third time in a row, each a 1 s long poll that ends when they
  // are handed back.
  let empty = 0;
  while (out.length < limit && empty < 3) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: Math.min(10, limit - out.length),
        WaitTimeSeconds: 1,
        VisibilityTimeout: hold,
        MessageSystemAttributeNames: ["ApproximateReceiveCount", "SentTimestamp"],
      }),
    );
    empty = Messages.length === 0 ? empty + 1 : 0;
    out.push(...Messages);
  }
  return out;
}

function envelopeOf(message: Message): QueueEnvelope | undefined {
  try {
    const parsed = QueueEnvelope.safeParse(JSON.parse(message.Body ?? ""));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

const describe = (record: MessageRecord | undefined) =>
  record
    ? `${record.status.padEnd(14)}${(record.failure ? `${record.failure.code}: ${record.failure.reason}` : "-").slice(0, 100)}`
    : "no record";

async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { limit: { type: "string", default: "10" }, help: { type: "boolean", short: "h" } },
  });
  const [command, queue] = positionals;
  if (values.help || !command) return void process.stdout.write(`${USAGE}\n`);
  const limit = Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError("--limit must be 1-1000");
  const { pairs, store, sqs } = await resolve();

  switch (command) {
    case "list": {
      for (const name of QUEUES) {
        const pair = pairs[name];
        if (!pair) continue;
        const { Attributes = {} } = await sqs.send(
          new GetQueueAttributesCommand({ QueueUrl: pair.dlq, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"] }),
        );
        process.stdout.write(`${name.padEnd(14)}${Attributes.ApproximateNumberOfMessages ?? "?"} waiting, ${Attributes.ApproximateNumberOfMessagesNotVisible ?? "?"} in flight  ${pair.dlq}\n`);
      }
      return;
    }
    case "show": {
      const pair = pick(pairs, queue);
      // Held while we read them (so none is read twice); they stay in the dead-letter queue.
      const messages = await receive(sqs, pair.dlq, limit, 30);
      process.stdout.write("message_id                             receives  status        reason\n");
      for (const message of messages) {
        const envelope = envelopeOf(message);
        const record = envelope && (await store.get(envelope.id));
        process.stdout.write(
          `${(envelope?.id ?? `(poison) ${message.MessageId}`).padEnd(39)}${(message.Attributes?.ApproximateReceiveCount ?? "?").padEnd(10)}${envelope ? describe(record) : "not an envelope: cannot be delivered"}\n`,
        );
      }
      // Hand them back at once, so a redrive right after sees them.
      await Promise.all(
        messages.map((m) =>
          sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: pair.dlq, ReceiptHandle: m.ReceiptHandle ?? "", VisibilityTimeout: 0 })),
        ),
      );
      process.stdout.write(`${messages.length} shown\n`);
      return;
    }
    case "redrive": {
      const pair = pick(pairs, queue);
      const messages = await receive(sqs, pair.dlq, limit, 60);
      let moved = 0;
      let skipped = 0;
      for (const message of messages) {
        const envelope = envelopeOf(message);
        if (!envelope) {
          skipped += 1;
          continue;
        }
        // dead_lettered is final for consumers: make it retryable again before it is redelivered.
        await store.transition(envelope.id, { to: "retrying", at: new Date(), from: ["dead_lettered", "retrying", "sending", "queued"], code: "dlq.redriven", reason: "redriven from the dead-letter queue" });
        await sqs.send(new SendMessageCommand({ QueueUrl: pair.source, MessageBody: message.Body ?? "" }));
        await sqs.send(new DeleteMessageCommand({ QueueUrl: pair.dlq, ReceiptHandle: message.ReceiptHandle ?? "" }));
        moved += 1;
      }
      process.stdout.write(`redriven ${moved} to ${queue}; left ${skipped} poison message(s) in the dead-letter queue\n`);
      return;
    }
    default:
      throw new UsageError(`unknown command ${command}`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`dlq: ${error instanceof Error ? error.message : String(error)}\n${error instanceof UsageError ? `${USAGE}\n` : ""}`);
  process.exit(error instanceof UsageError ? 2 : 1);
});
