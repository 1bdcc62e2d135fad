import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
} from "@aws-sdk/client-sqs";
import { visibilityBackoff, type BackoffPolicy } from "./backoff";
import type { SQSRecord } from "aws-lambda";
import { announceReady, type Logger } from "@herald/platform";
import type { QueueEnvelope } from "@herald/contracts";
import { NotStartedError, processSqsRecords, type BodyParser, type RecordHandler } from "./process-records";

export type WorkerOptions<Body = QueueEnvelope> = {
  client: SQSClient;
  queueUrl: string;
  handle: RecordHandler<Body>;
  /** How a record's body is read: QueueEnvelopes unless given (parseEnvelope). */
  parse?: BodyParser<Body>;
  logger: Logger;
  /** Messages per receive, 1-10. */
  batchSize?: number;
  /** Long-poll wait, 0-20 s. */
  waitTimeSeconds?: number;
  backoff?: BackoffPolicy;
  /**
   * The local twin of the Lambda timeout, and what one record needs of it: no record of a batch
   * starts later than `batchTimeoutMs - recordMs` after the batch was received; the rest are
   * handed back (see processSqsRecords). Unbounded without it.
   */
  timeBudget?: { batchTimeoutMs: number; recordMs: number };
};

export type Worker = {
  /** Stops receiving, lets the send in hand finish, hands unstarted messages back, then resolves. */
  stop(): Promise<void>;
  /** Resolves when the loop has ended. */
  done: Promise<void>;
};

/**
 * The local twin of the SQS event source mapping: long-polls the queue, hands each batch to the
 * same processSqsRecords the Lambda handler uses, and deletes what succeeded. Failed records are
 * left alone, so SQS makes them visible again after the visibility timeout, as on AWS.
 */
export function startSqsWorker<Body = QueueEnvelope>(options: WorkerOptions<Body>): Worker {
  const { client, queueUrl, handle, logger } = options;
  const retryDelay = visibilityBackoff({ client, queueUrl, logger, ...(options.backoff && { policy: options.backoff }) });
  const abort = new AbortController();
  let stopping = false;

  const loop = async () => {
    while (!stopping) {
      let messages: Message[];
      try {
        const result = await client.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: options.batchSize ?? 10,
            WaitTimeSeconds: options.waitTimeSeconds ?? 20,
            MessageSystemAttributeNames: ["ApproximateReceiveCount", "SentTimestamp", "ApproximateFirstReceiveTimestamp"],
          }),
          { abortSignal: abort.signal },
        );
        messages = result.Messages ?? [];
      } catch (error) {
        if (stopping) break;
        logger.error("receive failed", { error: error instanceof Error ? error.message : String(error) });
        await new Promise((r) => setTimeout(r, 1000));
        continue;
      }
      if (messages.length === 0) continue;
      // Records are handled one at a time; once told to stop, the ones not yet started are
      // skipped and handed straight back (visible again at once), not left to time out.
      const unstarted = new Set<string>();
      const records = messages.map((m) => toSqsRecord(m, queueUrl));
      const deadline = Date.now() + (options.timeBudget?.batchTimeoutMs ?? 0);
      const budget = options.timeBudget && { remainingMs: () => deadline - Date.now(), recordMs: options.timeBudget.recordMs };
      const { batchItemFailures } = await processSqsRecords(
        records,
        async (body: Body, context) => {
          if (stopping) {
            unstarted.add(context.sqsMessageId);
            throw new NotStartedError("the worker is stopping");
          }
          await handle(body, context);
        },
        logger,
        async (record, receiveCount) => {
          if (!unstarted.has(record.messageId)) await retryDelay(record, receiveCount);
        },
        budget,
        options.parse,
      );
      const failed = new Set(batchItemFailures.map((f) => f.itemIdentifier));
      const done = messages.filter((m) => !failed.has(m.MessageId ?? ""));
      if (done.length > 0) await deleteBatch(client, queueUrl, done, logger);
      const handBack = messages.filter((m) => unstarted.has(m.MessageId ?? ""));
      if (handBack.length > 0) await release(client, queueUrl, handBack, logger);
    }
  };

  const done = loop();
  return {
    done,
    async stop() {
      stopping = true;
      abort.abort();
      await done;
    },
  };
}

async function release(client: SQSClient, queueUrl: string, messages: Message[], logger: Logger): Promise<void> {
  await client
    .send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? "", VisibilityTimeout: 0 })),
      }),
    )
    .catch((error: unknown) => logger.warn("release failed", { error: error instanceof Error ? error.name : "unknown" }));
}

async function deleteBatch(client: SQSClient, queueUrl: string, messages: Message[], logger: Logger): Promise<void> {
  const result = await client.send(
    new DeleteMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? "" })),
    }),
  );
  // A record that was handled but not deleted comes back; the consumer's claim makes that harmless.
  if (result.Failed && result.Failed.length > 0) logger.warn("delete failed", { count: result.Failed.length });
}

function toSqsRecord(message: Message, queueUrl: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  // The ARN only labels the record here; the worker's queue URL is what it acts on.
  const [account = "", name = ""] = queueUrl.split("/").slice(-2);
  return {
    messageId: message.MessageId ?? "",
    receiptHandle: message.ReceiptHandle ?? "",
    body: message.Body ?? "",
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? "1",
      SentTimestamp: attributes.SentTimestamp ?? "",
      SenderId: attributes.SenderId ?? "",
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? "",
    },
    messageAttributes: {},
    md5OfBody: message.MD5OfBody ?? "",
    eventSource: "aws:sqs",
    eventSourceARN: `arn:aws:sqs:local:${account}:${name}`,
    awsRegion: "local",
  };
}

/**
 * A consumer's local entry point: runs the worker until SIGINT or SIGTERM, then lets the batch in
 * hand finish and exits 0. Without a queue URL it exits 1 with one line naming the variable.
 */
export function runWorkerProcess<Body = QueueEnvelope>(
  options: Omit<WorkerOptions<Body>, "client" | "queueUrl"> & {
    queueUrl: string | undefined;
    queueUrlVariable: string;
    /** Lets go of the consumer's own connections (an SMTP pool) once the worker has stopped. */
    close?: () => Promise<void>;
  },
): Worker | undefined {
  if (!options.queueUrl) {
    process.stderr.write(`herald: invalid configuration: ${options.queueUrlVariable}: is required for the worker\n`);
    process.exit(1);
  }
  const worker = startSqsWorker({ ...options, queueUrl: options.queueUrl, client: new SQSClient({}) });
  options.logger.info("worker started", { batchSize: options.batchSize ?? 10 });
  announceReady();
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      options.logger.info("stopping", { signal });
      void worker
        .stop()
        .then(() => options.close?.())
        .catch((error: unknown) => options.logger.warn("close failed", { error: error instanceof Error ? error.name : "unknown" }))
        .then(() => process.exit(0));
    });
  }
  return worker;
}
