import { describe, expect, it } from "vitest";
import type { QueueEnvelope } from "@herald/contracts";
import { createLogger, PermanentError, TransientError, type Logger } from "@herald/platform";
import { aMessageRecord, anEnvelope, anSqsRecord } from "@herald/testing";
import type { Delivery } from "../../src";
import { consumerHandler, createConsumerLambda, workerConfig, type Consumer } from "../../src/runtime";

type Config = { queueUrl: string | undefined; workerBatchSize: number; workerBatchTimeoutMs: number; logLevel: string };
type Deps = { logger: Logger; handled: { id: string; receiveCount: number }[] };

/** A consumer that records what it is handed; a message whose id is in `failing` throws that error. */
function aConsumer(failing: Map<string, Error> = new Map()) {
  const built: Deps[] = [];
  const consumer: Consumer<Config, Deps> = {
    loadConfig: (source = {}) => ({ queueUrl: source.QUEUE, workerBatchSize: 10, workerBatchTimeoutMs: Number(source.BATCH_MS ?? 30_000), logLevel: "SILENT" }),
    buildDeps: (config) => {
      const deps: Deps = { logger: createLogger("test", config.logLevel), handled: [] };
      built.push(deps);
      return deps;
    },
    handle: async (envelope: QueueEnvelope, delivery: Delivery, deps: Deps) => {
      deps.handled.push({ id: envelope.id, receiveCount: delivery.receiveCount });
      const error = failing.get(envelope.id);
      if (error) throw error;
    },
    recordBudgetMs: () => 12_000,
    queueUrlVariable: "HERALD_TEST_QUEUE_URL",
  };
  return { consumer, built };
}

describe("createConsumerLambda", () => {
  it("builds the deps once and hands every record's envelope to the consumer with its receive count", async () => {
    // Prepare
    const { consumer, built } = aConsumer();
    const [first, second] = [aMessageRecord(), aMessageRecord()];
    const handler = createConsumerLambda(consumer);

    // Act
    const one = await handler({ Records: [anSqsRecord(anEnvelope(first)), anSqsRecord(anEnvelope(second), { ApproximateReceiveCount: "3" })] });
    const two = await handler({ Records: [anSqsRecord(anEnvelope(first))] });

    // Assess
    expect([one, two]).toEqual([{ batchItemFailures: [] }, { batchItemFailures: [] }]);
    expect(built).toHaveLength(1);
    expect(built[0]?.handled).toEqual([
      { id: first.id, receiveCount: 1 },
      { id: second.id, receiveCount: 3 },
      { id: first.id, receiveCount: 1 },
    ]);
  });

  it("reports only the records that failed, a poison one among them", async () => {
    // Prepare
    const refused = aMessageRecord();
    const { consumer } = aConsumer(new Map([[refused.id, new PermanentError("test.refused", "refused")]]));
    const failed = anSqsRecord(anEnvelope(refused));
    const poison = anSqsRecord("not json");
    const handler = createConsumerLambda(consumer);

    // Act
    const result = await handler({ Records: [anSqsRecord(anEnvelope(aMessageRecord())), failed, poison] });

    // Assess
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: failed.messageId }, { itemIdentifier: poison.messageId }]);
  });
});

describe("consumerHandler", () => {
  it("hands the deps it is given to the consumer, and backs off a transient failure with the retry delay", async () => {
    // Prepare
    const held = aMessageRecord();
    const { consumer } = aConsumer(new Map([[held.id, new TransientError("test.busy", "busy")]]));
    const deps: Deps = { logger: createLogger("test", "SILENT"), handled: [] };
    const delayed: number[] = [];
    const handler = consumerHandler(consumer, consumer.loadConfig(), deps, async (_record, receiveCount) => {
      delayed.push(receiveCount);
    });

    // Act
    const result = await handler({ Records: [anSqsRecord(anEnvelope(held), { ApproximateReceiveCount: "2" })] });

    // Assess
    expect(result.batchItemFailures).toHaveLength(1);
    expect(deps.handled).toEqual([{ id: held.id, receiveCount: 2 }]);
    expect(delayed).toEqual([2]);
  });
});

describe("createConsumerLambda's time budget", () => {
  /**
   * A Lambda context whose remaining time drops as the consumer works: each record it is handed
   * takes `perRecordMs` of the invocation's `timeoutMs`.
   */
  function aTimedConsumer(options: { timeoutMs: number; perRecordMs: number; recordBudgetMs: number }) {
    let elapsed = 0;
    const handled: string[] = [];
    const spare: number[] = [];
    const consumer: Consumer<Config, Deps> = {
      loadConfig: () => ({ queueUrl: undefined, workerBatchSize: 10, workerBatchTimeoutMs: 30_000, logLevel: "SILENT" }),
      buildDeps: (config) => ({ logger: createLogger("test", config.logLevel), handled: [] }),
      handle: async (envelope, delivery) => {
        handled.push(envelope.id);
        spare.push(delivery.spareMs?.() ?? Number.POSITIVE_INFINITY);
        elapsed += options.perRecordMs;
      },
      recordBudgetMs: () => options.recordBudgetMs,
      queueUrlVariable: "HERALD_TEST_QUEUE_URL",
    };
    const context = { getRemainingTimeInMillis: () => options.timeoutMs - elapsed };
    return { consumer, context, handled, spare };
  }

  it("starts no record with less than one record's budget left and hands the rest back as batch item failures", async () => {
    // Prepare: 30 s, each record takes 9 s, one record's budget is 12 s: records start at 30, 21 and 12 s left
    const { consumer, context, handled } = aTimedConsumer({ timeoutMs: 30_000, perRecordMs: 9_000, recordBudgetMs: 12_000 });
    const records = Array.from({ length: 10 }, () => anSqsRecord(anEnvelope(aMessageRecord())));
    const handler = createConsumerLambda(consumer);

    // Act
    const result = await handler({ Records: records }, context);

    // Assess
    const envelopeIds = records.map((r) => (JSON.parse(r.body) as QueueEnvelope).id);
    expect(handled).toEqual(envelopeIds.slice(0, 3));
    expect(result.batchItemFailures).toEqual(records.slice(3).map((r) => ({ itemIdentifier: r.messageId })));
  });

  it("tells the consumer how much time it may spend waiting before it must start sending", async () => {
    // Prepare
    const { consumer, context, spare } = aTimedConsumer({ timeoutMs: 30_000, perRecordMs: 5_000, recordBudgetMs: 12_000 });
    const handler = createConsumerLambda(consumer);

    // Act
    await handler({ Records: [anSqsRecord(anEnvelope(aMessageRecord())), anSqsRecord(anEnvelope(aMessageRecord()))] }, context);

    // Assess: 30 - 12 s, then 25 - 12 s
    expect(spare).toEqual([18_000, 13_000]);
  });

  it("hands every record back, none started, when the invocation starts with less than one record's budget", async () => {
    // Prepare
    const { consumer, context, handled } = aTimedConsumer({ timeoutMs: 5_000, perRecordMs: 1_000, recordBudgetMs: 12_000 });
    const records = [anSqsRecord(anEnvelope(aMessageRecord())), anSqsRecord(anEnvelope(aMessageRecord()))];

    // Act
    const result = await createConsumerLambda(consumer)({ Records: records }, context);

    // Assess
    expect(handled).toEqual([]);
    expect(result.batchItemFailures).toHaveLength(2);
  });
});

describe("workerConfig", () => {
  it("refuses a worker batch timeout below one record's budget, naming the variable", () => {
    // Prepare: 12 s per record
    const { consumer } = aConsumer();

    // Act
    const load = () => workerConfig(consumer, { BATCH_MS: "5000" });

    // Assess
    expect(load).toThrow("HERALD_WORKER_BATCH_TIMEOUT_SECONDS: must be at least one record's budget, 12 s");
    expect(workerConfig(consumer, { BATCH_MS: "12000" }).workerBatchTimeoutMs).toBe(12_000);
  });
});
