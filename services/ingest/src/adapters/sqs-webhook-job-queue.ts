import { SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { WebhookJob } from "@herald/contracts";
import type { WebhookJobQueue } from "../ports/webhook-job-queue";

/** One SendMessage per job, the body the webhook consumer parses (WebhookJob, JSON). */
export class SqsWebhookJobQueue implements WebhookJobQueue {
  readonly #sqs: SQSClient;
  readonly #queueUrl: string;

  constructor(sqs: SQSClient, queueUrl: string) {
    this.#sqs = sqs;
    this.#queueUrl = queueUrl;
  }

  async enqueue(job: WebhookJob): Promise<void> {
    await this.#sqs.send(new SendMessageCommand({ QueueUrl: this.#queueUrl, MessageBody: JSON.stringify(WebhookJob.parse(job)) }));
  }
}
