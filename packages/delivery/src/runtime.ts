import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import type { QueueEnvelope } from "@herald/contracts";
import { ConfigError, loadConfigOrExit, type Logger } from "@herald/platform";
import type { BodyParser, RecordHandler, RetryDelay } from "@herald/queue";
import { createSqsHandler, runWorkerProcess, visibilityBackoff, type BackoffPolicy, type LambdaContext, type Worker } from "@herald/queue/sqs";
import type { Delivery } from "./deliver";

/**
 * A consumer as its two entry points run it. The Lambda handler and the local worker build the
 * same deps from the same configuration and hand every envelope to the same `handle`.
 */
export type Consumer<Config extends ConsumerConfig, Deps extends ConsumerDeps, Body = QueueEnvelope> = {
  /** Parses the environment (process.env unless given); throws ConfigError naming a bad variable. */
  loadConfig: (source?: Record<string, string | undefined>) => Config;
  /** The composition root: run once per process (at module scope on Lambda), never per message. */
  buildDeps: (config: Config) => Deps;
  /** One envelope: resolves when it is done with, throws for a failure worth another receive. */
  handle: (body: Body, delivery: Delivery, deps: Deps) => Promise<void>;
  /** How a record's body is read; a QueueEnvelope unless given (the events queue carries SES's events). */
  parse?: BodyParser<Body>;
  /**
   * The most one record can take (its sends' timeouts plus RECORD_MARGIN_MS; see recordBudgetMs):
   * no record starts with less than this left of the Lambda invocation or the worker's batch.
   */
  recordBudgetMs: (config: Config) => number;
  /** The variable `config.queueUrl` comes from, named when the worker is started without it. */
  queueUrlVariable: string;
  /** How long a transiently failed record waits before its next receive; DEFAULT_BACKOFF (2 s doubling to 5 min) unless given. */
  backoff?: BackoffPolicy;
  /** Logs, before the worker starts, where messages will go (never a secret). */
  announce?: (config: Config, deps: Deps) => void;
  /** Lets go of the consumer's own connections (an SMTP pool) once the worker has stopped. */
  close?: (deps: Deps) => Promise<void>;
};

/** What the entry points read of a consumer's configuration and deps. */
export type ConsumerConfig = { queueUrl: string | undefined; workerBatchSize: number; workerBatchTimeoutMs: number };
export type ConsumerDeps = { logger: Logger };

/** Lambda calls it with the invocation's context; without one (a test) no record is ever held back. */
export type SqsHandler = (event: SQSEvent, context?: LambdaContext) => Promise<SQSBatchResponse>;

/**
 * The SQS handler of a consumer whose deps are built: partial batch failures, backoff of
 * transient ones, and the invocation's time budget (no record starts with less than
 * `recordBudgetMs` left).
 */
export function consumerHandler<Config extends ConsumerConfig, Deps extends ConsumerDeps, Body = QueueEnvelope>(
  consumer: Consumer<Config, Deps, Body>,
  config: Config,
  deps: Deps,
  retryDelay?: RetryDelay,
): SqsHandler {
  const delay = retryDelay ?? visibilityBackoff({ logger: deps.logger, ...(consumer.backoff && { policy: consumer.backoff }) });
  return createSqsHandler(envelopeHandler(consumer, deps), deps.logger, delay, consumer.recordBudgetMs(config), consumer.parse);
}

/**
 * The Lambda entry point: called at module scope, it builds the deps once per container from the
 * function's environment.
 */
export function createConsumerLambda<Config extends ConsumerConfig, Deps extends ConsumerDeps, Body = QueueEnvelope>(
  consumer: Consumer<Config, Deps, Body>,
): SqsHandler {
  const config = consumer.loadConfig();
  return consumerHandler(consumer, config, consumer.buildDeps(config));
}

/**
 * The local entry point (`npm start`, `npm run dev`): a bad setting prints one line and exits 1;
 * otherwise the worker long-polls the queue until SIGINT or SIGTERM, and tells `npm start` it is
 * up (see runWorkerProcess).
 */
export function runConsumerWorker<Config extends ConsumerConfig, Deps extends ConsumerDeps, Body = QueueEnvelope>(
  consumer: Consumer<Config, Deps, Body>,
): Worker | undefined {
  const config = loadConfigOrExit(() => workerConfig(consumer));
  const recordMs = consumer.recordBudgetMs(config);
  const deps = consumer.buildDeps(config);
  consumer.announce?.(config, deps);
  const { close } = consumer;
  return runWorkerProcess({
    queueUrl: config.queueUrl,
    queueUrlVariable: consumer.queueUrlVariable,
    batchSize: config.workerBatchSize,
    logger: deps.logger,
    handle: envelopeHandler(consumer, deps),
    ...(consumer.parse && { parse: consumer.parse }),
    ...(consumer.backoff && { backoff: consumer.backoff }),
    timeBudget: { batchTimeoutMs: config.workerBatchTimeoutMs, recordMs },
    ...(close && { close: () => close(deps) }),
  });
}

/**
 * The worker's configuration, refused when its batch timeout is below one record's budget: no
 * record would ever start, and every message would go to the dead-letter queue unsent.
 */
export function workerConfig<Config extends ConsumerConfig, Deps extends ConsumerDeps, Body = QueueEnvelope>(
  consumer: Consumer<Config, Deps, Body>,
  source?: Record<string, string | undefined>,
): Config {
  const config = consumer.loadConfig(source);
  const recordMs = consumer.recordBudgetMs(config);
  if (config.workerBatchTimeoutMs < recordMs) {
    throw new ConfigError(
      `invalid configuration: HERALD_WORKER_BATCH_TIMEOUT_SECONDS: must be at least one record's budget, ${Math.ceil(recordMs / 1000)} s (the send timeouts plus a margin)`,
    );
  }
  return config;
}

function envelopeHandler<Config extends ConsumerConfig, Deps extends ConsumerDeps, Body>(
  consumer: Consumer<Config, Deps, Body>,
  deps: Deps,
): RecordHandler<Body> {
  return (body, context) => consumer.handle(body, { receiveCount: context.receiveCount, spareMs: context.spareMs }, deps);
}
