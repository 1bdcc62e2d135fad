import type { QueueEnvelope, QueueName } from "@herald/contracts";

/** A channel's delivery queue, or the queue of the secure-store consumer (the registry's names). */
export type { QueueName };

export type EnqueueOptions = { delaySeconds?: number };

export type BatchEntry = { envelope: QueueEnvelope; delaySeconds?: number };

/** Puts envelopes on a queue. */
export interface MessageQueue {
  /** One envelope; resolves to the SQS message id. */
  enqueue(queue: QueueName, envelope: QueueEnvelope, options?: EnqueueOptions): Promise<string>;
  /** Many envelopes in as few calls as SQS allows; resolves to whether each one was queued. */
  enqueueBatch(queue: QueueName, entries: readonly BatchEntry[]): Promise<boolean[]>;
}
