import type { SQSClient } from "@aws-sdk/client-sqs";
import type { SQSRecord } from "aws-lambda";
import type { Logger } from "@herald/platform";
import type { RetryDelay } from "./process-records";

export type BackoffPolicy = { baseSeconds: number; maxSeconds: number };

export const DEFAULT_BACKOFF: BackoffPolicy = { baseSeconds: 2, maxSeconds: 300 };

/**
 * Seconds to keep a failed message invisible before its next receive: exponential in the receive
 * count, with "equal jitter" (half fixed, half random) so a burst of failures does not come back
 * as a burst. 2 s, 4 s, 8 s ... up to 5 minutes.
 */
export function backoffSeconds(receiveCount: number, policy: BackoffPolicy = DEFAULT_BACKOFF, random = Math.random): number {
  const ceiling = Math.min(policy.maxSeconds, policy.baseSeconds * 2 ** Math.max(0, receiveCount - 1));
  return Math.max(1, Math.round(ceiling / 2 + random() * (ceiling / 2)));
}

/** arn:aws:sqs:REGION:ACCOUNT:NAME → the queue URL, without a GetQueueUrl call per retry. */
export function queueUrlFromArn(arn: string): string | undefined {
  const [, partition, , region, account, name] = arn.split(":");
  if (!region || !account || !name || region === "local") return undefined;
  const domain = partition === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com";
  return `https://sqs.${region}.${domain}/${account}/${name}`;
}

/**
 * Delays the next receive of a message that failed for a transient reason by changing its
 * visibility timeout. Best effort: if this fails, the queue's own visibility timeout applies.
 */
export function visibilityBackoff(options: {
  client?: SQSClient;
  /** The queue's URL; by default derived from the record's eventSourceARN (Lambda). */
  queueUrl?: string;
  logger: Logger;
  policy?: BackoffPolicy;
}): RetryDelay {
  // Loaded with the first retry: a Lambda consumer whose sends succeed never builds an SQS client
  // (the event source mapping receives and deletes). Never let the SDK switch to a QueueUrl's
  // host: requests go where the client is configured to.
  let sqs: Promise<{ client: SQSClient; Command: typeof import("@aws-sdk/client-sqs").ChangeMessageVisibilityCommand }> | undefined;
  const load = () =>
    (sqs ??= import("@aws-sdk/client-sqs").then((m) => ({
      client: options.client ?? new m.SQSClient({ useQueueUrlAsEndpoint: false }),
      Command: m.ChangeMessageVisibilityCommand,
    })));
  return async (record, receiveCount) => {
    const queueUrl = options.queueUrl ?? queueUrlFromArn(record.eventSourceARN);
    if (!queueUrl) return;
    const seconds = backoffSeconds(receiveCount, options.policy);
    try {
      const { client, Command } = await load();
      await client.send(new Command({ QueueUrl: queueUrl, ReceiptHandle: record.receiptHandle, VisibilityTimeout: seconds }));
    } catch (error) {
      options.logger.warn("backoff not applied", { sqsMessageId: record.messageId, error: error instanceof Error ? error.name : "unknown" });
    }
  };
}
