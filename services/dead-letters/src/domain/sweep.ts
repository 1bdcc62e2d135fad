import { isTerminal, QueueEnvelope, type ChannelName } from "@herald/contracts";
import type { MessageStore } from "@herald/messages";
import type { Clock, Logger } from "@herald/platform";
import type { DeadLetterMessage, DeadLetterQueue } from "../ports/dead-letter-queue";

export type SweepDeps = {
  store: MessageStore;
  queues: readonly DeadLetterQueue[];
  clock: Clock;
  logger: Logger;
  /** The most messages one sweep reads from one dead-letter queue. */
  maxPerQueue: number;
  /** How long a read message stays out of sight at most (the sweep releases it when done). */
  holdSeconds: number;
};

export type SweepResult = Partial<Record<ChannelName, { read: number; marked: number; poison: number }>>;

export const DEAD_LETTERED = {
  code: "queue.dead_lettered",
  reason: "its queue moved it to the dead-letter queue before a consumer finished it (timed out, crashed, or no time left to start it)",
} as const;

/**
 * Makes the status of what sits in the channels' dead-letter queues true: a message whose
 * consumer never recorded an outcome (it timed out or crashed mid-send, or handed the record back
 * unstarted until its receives ran out) is still `queued`, `retrying` or `sending` there, and
 * becomes `dead_lettered` (MessageStore.deadLetter: a conditional write, so a message that was
 * sent, failed, or is held by a live claim is left alone). Nothing is deleted: each message read
 * is handed back when the sweep is done, for `npm run dlq -- redrive`. Idempotent, so it runs on
 * a schedule and reads the same messages again each time.
 *
 * The secure-store queue's dead letters are not swept: a seal that died says nothing about
 * delivery, which the channel's own consumer still does.
 */
export async function sweepDeadLetters(deps: SweepDeps, hasTime: () => boolean = () => true): Promise<SweepResult> {
  const result: SweepResult = {};
  for (const queue of deps.queues) {
    if (!hasTime()) break;
    if ((await queue.waiting()) === 0) continue;
    const messages = await queue.peek(deps.maxPerQueue, deps.holdSeconds);
    const counts = { read: messages.length, marked: 0, poison: 0 };
    try {
      for (const message of messages) {
        if (!hasTime()) break;
        const envelope = envelopeOf(message);
        if (!envelope || envelope.channel !== queue.channel) {
          counts.poison += 1;
          continue;
        }
        if (await markIfUnfinished(envelope, deps)) counts.marked += 1;
      }
    } finally {
      await queue.release(messages);
    }
    result[queue.channel] = counts;
    if (counts.marked > 0 || counts.poison > 0) deps.logger.info("dead letters swept", { channel: queue.channel, ...counts });
  }
  return result;
}

/** One read first: a dead-letter queue whose messages are all marked costs no writes. */
async function markIfUnfinished(envelope: QueueEnvelope, deps: SweepDeps): Promise<boolean> {
  const record = await deps.store.get(envelope.id);
  if (!record || record.tenant !== envelope.tenant || isTerminal(record.status)) return false;
  const marked = await deps.store.deadLetter(envelope.id, { tenant: envelope.tenant, at: deps.clock.now(), ...DEAD_LETTERED });
  if (marked) deps.logger.info("marked dead_lettered", { messageId: envelope.id, channel: envelope.channel, was: record.status });
  return marked !== undefined;
}

function envelopeOf(message: DeadLetterMessage): QueueEnvelope | undefined {
  try {
    const parsed = QueueEnvelope.safeParse(JSON.parse(message.body));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
