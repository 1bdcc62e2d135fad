import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import type { QueueEnvelope } from "@herald/contracts";
import { loadConfigOrExit, type Logger } from "@herald/platform";
import type { EnvelopeHandler, RetryDelay } from "@herald/queue";
import { createSqsHandler, runWorkerProcess, type Worker } from "@herald/queue/sqs";
import type { Delivery } from "./deliver";

/**
 * A consumer as its two entry points run it. The Lambda handler and the local worker build the
 * same deps from the same configuration and hand every envelope to the same `handle`.
 */
export type Consumer<Config extends ConsumerConfig, Deps extends ConsumerDeps> = {
  /** Parses the environment (process.env unless given); throws ConfigError naming a bad variable. */
  loadConfig: (source?: Record<string, string | undefined>) => Config;
  /** The composition root: run once per process (at module scope on Lambda), never per message. */
  buildDeps: (config: Config) => Deps;
  /** One envelope: resolves when it is done with, throws for a failure worth another receive. */
  handle: (envelope: QueueEnvelope, delivery: Delivery, deps: Deps) => Promise<void>;
  /** The variable `config.queueUrl` comes from, named when the worker is started without it. */
  queueUrlVariable: string;
  /** Logs, before the worker starts, where messages will go (never a secret). */
  announce?: (config: Config, deps: Deps) => void;
  /** Lets go of the consumer's own connections (an SMTP pool) once the worker has stopped. */
  close?: (deps: Deps) => Promise<void>;
};

/** What the entry points read of a consumer's configuration and deps. */
export type ConsumerConfig = { queueUrl: string | undefined; workerBatchSize: number };
export type ConsumerDeps = { logger: Logger };

export type SqsHandler = (event: SQSEvent) => Promise<SQSBatchResponse>;

/** The SQS handler of a consumer whose deps are built: partial batch failures, backoff of transient ones. */
export function consumerHandler<Config extends ConsumerConfig, Deps extends ConsumerDeps>(
  consumer: Consumer<Config, Deps>,
  deps: Deps,
  retryDelay?: RetryDelay,
): SqsHandler {
  return createSqsHandler(envelopeHandler(consumer, deps), deps.logger, retryDelay);
}

/**
 * The Lambda entry point: called at module scope, it builds the deps once per container from the
 * function's environment.
 */
export function createConsumerLambda<Config extends ConsumerConfig, Deps extends ConsumerDeps>(
  consumer: Consumer<Config, Deps>,
): SqsHandler {
  return consumerHandler(consumer, consumer.buildDeps(consumer.loadConfig()));
}

/**
 * The local entry point (`npm start`, `npm run dev`): a bad setting prints one line and exits 1;
 * otherwise the worker long-polls the queue until SIGINT or SIGTERM, and tells `npm start` it is
 * up (see runWorkerProcess).
 */
export function runConsumerWorker<Config extends ConsumerConfig, Deps extends ConsumerDeps>(
  consumer: Consumer<Config, Deps>,
): Worker | undefined {
  const config = loadConfigOrExit(() => consumer.loadConfig());
  const deps = consumer.buildDeps(config);
  consumer.announce?.(config, deps);
  const { close } = consumer;
  return runWorkerProcess({
    queueUrl: config.queueUrl,
    queueUrlVariable: consumer.queueUrlVariable,
    batchSize: config.workerBatchSize,
    logger: deps.logger,
    handle: envelopeHandler(consumer, deps),
    ...(close && { close: () => close(deps) }),
  });
}

function envelopeHandler<Config extends ConsumerConfig, Deps extends ConsumerDeps>(
  consumer: Consumer<Config, Deps>,
  deps: Deps,
): EnvelopeHandler {
  return (envelope, context) => consumer.handle(envelope, { receiveCount: context.receiveCount }, deps);
}
