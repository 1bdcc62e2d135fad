import { SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { QueueEnvelope } from "@herald/contracts";
import { AppError } from "@herald/platform";

/** A channel's delivery queue, or the queue of the secure-store consumer. */
export type QueueName = QueueEnvelope["channel"] | "secure-store";

export type EnqueueOptions = { delaySeconds?: number };

/** Puts an envelope on a queue; resolves to the SQS message id. */
export interface MessageQueue {
  enqueue(queue: QueueName, envelope: QueueEnvelope, options?: EnqueueOptions): Promise<string>;
}

export class SqsMessageQueue implements MessageQueue {
  readonly #sqs: SQSClient;
  readonly #urls: Partial<Record<QueueName, string>>;

  constructor(client: SQSClient, queueUrls: Partial<Record<QueueName, string>>) {
    this.#sqs = client;
    this.#urls = queueUrls;
  }

  async enqueue(queue: QueueName, envelope: QueueEnvelope, options: EnqueueOptions = {}): Promise<string> {
    const url = this.#urls[queue];
    if (!url) throw new AppError("queue.not_configured", `no queue is configured for ${queue}`, { status: 503 });
    const result = await this.#sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: JSON.stringify(envelope),
        ...(options.delaySeconds && { DelaySeconds: Math.min(900, Math.max(0, Math.ceil(options.delaySeconds))) }),
      }),
    );
    return result.MessageId ?? "";
  }
}
