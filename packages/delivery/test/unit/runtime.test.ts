import { describe, expect, it } from "vitest";
import type { QueueEnvelope } from "@herald/contracts";
import { createLogger, PermanentError, TransientError, type Logger } from "@herald/platform";
import { aMessageRecord, anEnvelope, anSqsRecord } from "@herald/testing";
import type { Delivery } from "../../src";
import { consumerHandler, createConsumerLambda, type Consumer } from "../../src/runtime";

type Config = { queueUrl: string | undefined; workerBatchSize: number; logLevel: string };
type Deps = { logger: Logger; handled: { id: string; receiveCount: number }[] };

/** A consumer that records what it is handed; a message whose id is in `failing` throws that error. */
function aConsumer(failing: Map<string, Error> = new Map()) {
  const built: Deps[] = [];
  const consumer: Consumer<Config, Deps> = {
    loadConfig: (source = {}) => ({ queueUrl: source.QUEUE, workerBatchSize: 10, logLevel: "SILENT" }),
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
    const handler = consumerHandler(consumer, deps, async (_record, receiveCount) => {
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
