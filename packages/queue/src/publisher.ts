import { SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { QueueEnvelope } from "@herald/contracts";

export type EnqueueOptions = { delaySeconds?: number };

/** Puts an envelope on its channel's queue; resolves to the SQS message id. */
export interface MessageQueue {
  enqueue(envelope: QueueEnvelope, options?: EnqueueOptions): Promise<string>;
}

export class SqsMessageQueue implements MessageQueue {
  readonly #sqs: SQSClient;
  readonly #urls: Record<QueueEnvelope["channel"], string>;

  constructor(client: SQSClient, queueUrls: Record<QueueEnvelope["channel"], string>) {
    this.#sqs = client;
    this.#urls = queueUrls;
  }

  async enqueue(envelope: QueueEnvelope, options: EnqueueOptions = {}): Promise<string> {
    const result = await this.#sqs.send(
      new SendMessageCommand({
        QueueUrl: this.#urls[envelope.channel],
        MessageBody: JSON.stringify(envelope),
        ...(options.delaySeconds && { DelaySeconds: Math.min(900, Math.max(0, Math.ceil(options.delaySeconds))) }),
      }),
    );
    return result.MessageId ?? "";
  }
}
