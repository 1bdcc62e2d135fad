import { ChangeMessageVisibilityBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { ChannelName } from "@herald/contracts";
import type { DeadLetterMessage, DeadLetterQueue } from "../ports/dead-letter-queue";

/**
 * A dead-letter queue on SQS, read with ReceiveMessage and a visibility timeout, handed back with
 * ChangeMessageVisibility 0; never DeleteMessage (the function is not even allowed it).
 */
export class SqsDeadLetterQueue implements DeadLetterQueue {
  readonly channel: ChannelName;
  readonly #sqs: SQSClient;
  readonly #url: string;

  constructor(client: SQSClient, channel: ChannelName, queueUrl: string) {
    this.#sqs = client;
    this.channel = channel;
    this.#url = queueUrl;
  }

  async waiting(): Promise<number> {
    const { Attributes = {} } = await this.#sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: this.#url, AttributeNames: ["ApproximateNumberOfMessages"] }),
    );
    return Number(Attributes.ApproximateNumberOfMessages ?? "0");
  }

  async peek(max: number, holdSeconds: number): Promise<DeadLetterMessage[]> {
    const out: DeadLetterMessage[] = [];
    while (out.length < max) {
      const { Messages = [] } = await this.#sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: this.#url,
          MaxNumberOfMessages: Math.min(10, max - out.length),
          WaitTimeSeconds: 0,
          VisibilityTimeout: holdSeconds,
        }),
      );
      if (Messages.length === 0) break;
      for (const m of Messages) out.push({ body: m.Body ?? "", handle: m.ReceiptHandle ?? "" });
    }
    return out;
  }

  async release(messages: readonly DeadLetterMessage[]): Promise<void> {
    for (let i = 0; i < messages.length; i += 10) {
      const chunk = messages.slice(i, i + 10);
      // Best effort: what is not released becomes visible anyway when its hold ends.
      await this.#sqs
        .send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: this.#url,
            Entries: chunk.map((m, n) => ({ Id: String(n), ReceiptHandle: m.handle, VisibilityTimeout: 0 })),
          }),
        )
        .catch(() => undefined);
    }
  }
}
