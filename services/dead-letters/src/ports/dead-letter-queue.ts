import type { ChannelName } from "@herald/contracts";

/** One message in a dead-letter queue, as the sweep reads it: never deleted by it. */
export type DeadLetterMessage = {
  body: string;
  /** What hands it back (SQS's receipt handle). */
  handle: string;
};

/**
 * A channel's dead-letter queue, read without consuming it: what lands there stays for
 * `npm run dlq -- show | redrive` (and SQS's own redrive) until someone acts on it.
 */
export interface DeadLetterQueue {
  readonly channel: ChannelName;
  /** Roughly how many messages wait in it (SQS's ApproximateNumberOfMessages): 0 skips the sweep. */
  waiting(): Promise<number>;
  /** Up to `max` messages, each held out of sight for `holdSeconds` so one sweep sees each once. */
  peek(max: number, holdSeconds: number): Promise<DeadLetterMessage[]>;
  /** Makes them visible again at once (the sweep is done with them). */
  release(messages: readonly DeadLetterMessage[]): Promise<void>;
}
