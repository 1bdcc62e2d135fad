import { SendMessageBatchCommand, SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { QueueEnvelope, QueueName } from "@herald/contracts";
import { AppError } from "@herald/platform";
import type { BatchEntry, EnqueueOptions, MessageQueue } from "./message-queue";

// SendMessageBatch takes 10 entries and 256 KiB in all; leave room for attributes and framing.
const BATCH_ENTRIES = 10;
const BATCH_BYTES = 240 * 1024;

export class SqsMessageQueue implements MessageQueue {
  readonly #sqs: SQSClient;
  readonly #urls: Partial<Record<QueueName, string>>;

  constructor(client: SQSClient, queueUrls: Partial<Record<QueueName, string>>) {
    this.#sqs = client;
    this.#urls = queueUrls;
  }

  async enqueue(queue: QueueName, envelope: QueueEnvelope, options: EnqueueOptions = {}): Promise<string> {
    const result = await this.#sqs.send(
      new SendMessageCommand({ QueueUrl: this.#url(queue), MessageBody: JSON.stringify(envelope), ...delay(options.delaySeconds) }),
    );
    return result.MessageId ?? "";
  }

  async enqueueBatch(queue: QueueName, entries: readonly BatchEntry[]): Promise<boolean[]> {
    const url = this.#url(queue);
    const bodies = entries.map((e) => JSON.stringify(e.envelope));
    const queued = entries.map(() => false);
    for (const chunk of chunks(bodies)) {
      try {
        const result = await this.#sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: url,
            Entries: chunk.map((i) => ({ Id: String(i), MessageBody: bodies[i] ?? "", ...delay(entries[i]?.delaySeconds) })),
          }),
        );
        for (const ok of result.Successful ?? []) queued[Number(ok.Id)] = true;
      } catch {
        // The whole call failed: every entry of this chunk stays unqueued and is reported so.
      }
    }
    return queued;
  }

  #url(queue: QueueName): string {
    const url = this.#urls[queue];
    if (!url) throw new AppError("queue.not_configured", `no queue is configured for ${queue}`, { status: 503 });
    return url;
  }
}

function delay(seconds: number | undefined) {
  return seconds ? { DelaySeconds: Math.min(900, Math.max(0, Math.ceil(seconds))) } : {};
}

/** Indexes grouped into SendMessageBatch calls: at most 10 entries and BATCH_BYTES each. */
function chunks(bodies: readonly string[]): number[][] {
  const out: number[][] = [];
  let current: number[] = [];
  let bytes = 0;
  bodies.forEach((body, i) => {
    const size = Buffer.byteLength(body, "utf8");
    if (current.length === BATCH_ENTRIES || (current.length > 0 && bytes + size > BATCH_BYTES)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(i);
    bytes += size;
  });
  if (current.length > 0) out.push(current);
  return out;
}
