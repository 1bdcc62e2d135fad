import { GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { MessageRecord, MessageStatus } from "@herald/contracts";
import type { MessageStore } from "@herald/messages";
import type { RetryDelay } from "@herald/queue";
import type { SendResult } from "./deliver";
import { consumerHandler, type Consumer, type ConsumerConfig, type ConsumerDeps } from "./runtime";
import type { Sender } from "./sender";

// Test support for the consumers' tests (email, sms, secure-store); nothing in src/ imports it.

/**
 * A consumer's Lambda handler as its entry point composes it (createConsumerLambda), with the
 * configuration read from `env` rather than process.env: the entry point module itself is not
 * imported, because it reads process.env when it loads.
 */
export function aConsumerHandler<Config extends ConsumerConfig, Deps extends ConsumerDeps>(
  consumer: Consumer<Config, Deps>,
  env: Record<string, string | undefined>,
  retryDelay?: RetryDelay,
) {
  const config = consumer.loadConfig(env);
  const deps = consumer.buildDeps(config);
  return { handle: consumerHandler(consumer, config, deps, retryDelay), deps, config };
}

/** Polls the store until every record has left queued/sending/retrying, or fails after the bound. */
export async function waitUntilSettled(store: MessageStore, ids: string[], timeoutMs = 10_000): Promise<(MessageRecord | undefined)[]> {
  const unsettled: readonly MessageStatus[] = ["queued", "sending", "retrying"];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const records = await Promise.all(ids.map((id) => store.get(id)));
    if (records.every((r) => r !== undefined && !unsettled.includes(r.status))) return records;
    if (Date.now() > deadline) {
      throw new Error(`records not settled within ${timeoutMs} ms: ${records.map((r) => r?.status ?? "missing").join(", ")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** How many messages a queue holds: visible, and received but not yet deleted. */
export async function messagesIn(queueUrl: string): Promise<{ visible: number; inFlight: number }> {
  const { Attributes = {} } = await new SQSClient({}).send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  return { visible: Number(Attributes.ApproximateNumberOfMessages), inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible) };
}

/** Records everything it is handed; answers with `<idPrefix><count>`, or throws what it was told to. */
export class FakeSender<Content, Name extends string> implements Sender<Content, Name> {
  readonly name: Name;
  readonly sent: Content[] = [];
  readonly #idPrefix: string;
  #failure: unknown = undefined;

  constructor(name: Name, idPrefix: string) {
    this.name = name;
    this.#idPrefix = idPrefix;
  }

  /** From now on every send throws `error`; `undefined` makes them succeed again. */
  failWith(error: unknown): void {
    this.#failure = error;
  }

  async send(content: Content): Promise<SendResult> {
    this.sent.push(content);
    if (this.#failure !== undefined) throw this.#failure;
    return { providerMessageId: `${this.#idPrefix}${this.sent.length}` };
  }
}

/** An error shaped like the AWS SDK's, for names a client has no class for. */
export function anSdkError(fields: { name: string; message: string; $fault?: "client" | "server"; $metadata?: Record<string, unknown> }): Error {
  const { name, message, ...rest } = fields;
  return Object.assign(new Error(message), { name }, rest);
}
