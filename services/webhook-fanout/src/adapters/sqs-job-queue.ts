import { SendMessageBatchCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { WebhookJob } from "@herald/contracts";
import { TransientError } from "@herald/platform";
import type { JobQueue } from "../domain/fan-out";

/** SendMessageBatch, ten jobs a call (SQS's most); any entry SQS did not take fails the call. */
export class SqsJobQueue implements JobQueue {
  readonly #sqs: SQSClient;
  readonly #queueUrl: string;

  constructor(sqs: SQSClient, queueUrl: string) {
    this.#sqs = sqs;
    this.#queueUrl = queueUrl;
  }

  async send(jobs: readonly WebhookJob[]): Promise<void> {
    for (let i = 0; i < jobs.length; i += 10) {
      const chunk = jobs.slice(i, i + 10);
      const result = await this.#sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: this.#queueUrl,
          Entries: chunk.map((job, n) => ({ Id: String(n), MessageBody: JSON.stringify(job) })),
        }),
      );
      const failed = result.Failed ?? [];
      if (failed.length > 0) {
        throw new TransientError("webhooks.enqueue_failed", `${failed.length} of ${chunk.length} webhook jobs not queued (${failed[0]?.Code ?? "unknown"})`);
      }
    }
  }
}
