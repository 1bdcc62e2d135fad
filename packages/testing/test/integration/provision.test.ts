import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GetQueueAttributesCommand, ListQueuesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  provision,
  startAwsProxy,
  startMoto,
  useEmulatorEnv,
  type AwsProxy,
  type Emulator,
  type MotoData,
  type ProvisionStep,
} from "../../src/index";

let moto: Emulator;
let proxy: AwsProxy;

// Every AWS call goes through a counting proxy, so a test can tell what a run changed.
beforeAll(async () => {
  moto = await startMoto();
  proxy = await startAwsProxy({ target: moto.endpoint });
  useEmulatorEnv(proxy.endpoint);
});

afterAll(async () => {
  await proxy?.stop();
  await moto?.stop();
});

/** The email identities in moto's SES state, one entry per identity it holds. */
function identitiesIn(data: MotoData): string[] {
  const ses: unknown = data.ses;
  if (typeof ses !== "object" || ses === null || !("EmailIdentity" in ses) || !Array.isArray(ses.EmailIdentity)) return [];
  return ses.EmailIdentity.map((identity: unknown) =>
    typeof identity === "object" && identity !== null && "email_identity" in identity ? String(identity.email_identity) : "",
  );
}

/** Calls that create or change something, by operation. */
function writes(counts: ReadonlyMap<string, number>): string[] {
  return [...counts.keys()].filter((op) => /Create|Set|Put|Update|Delete|^POST |^PUT |^DELETE /.test(op)).sort();
}

async function queueAttributes(url: string): Promise<Record<string, string>> {
  const { Attributes = {} } = await new SQSClient({}).send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] }));
  return Attributes;
}

async function queueCount(): Promise<number> {
  const { QueueUrls = [] } = await new SQSClient({}).send(new ListQueuesCommand({}));
  return QueueUrls.length;
}

describe("provision", () => {
  it("creates the table keyed by pk and sk, the email queue with its dead-letter queue, and one identity per sender", async () => {
    // Prepare
    const senders = ["noreply@first.test", "billing@first.test"];

    // Act
    const resources = await provision({ prefix: "provision-first", senders, maxReceives: 3, visibilityTimeoutSeconds: 30 });

    // Assess
    expect(resources.tableName).toBe("provision-first-messages");
    expect(resources.emailQueueUrl).toMatch(/\/provision-first-email$/);
    expect(resources.emailDlqUrl).toMatch(/\/provision-first-email-dlq$/);
    const { Table } = await new DynamoDBClient({}).send(new DescribeTableCommand({ TableName: resources.tableName }));
    expect(Table?.KeySchema).toEqual([
      { AttributeName: "pk", KeyType: "HASH" },
      { AttributeName: "sk", KeyType: "RANGE" },
    ]);
    // the webhook fan-out reads every write with its images before and after
    expect(Table?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" });
    const queue = await queueAttributes(resources.emailQueueUrl);
    const dlq = await queueAttributes(resources.emailDlqUrl);
    expect(JSON.parse(queue.RedrivePolicy ?? "{}")).toEqual({ deadLetterTargetArn: dlq.QueueArn, maxReceiveCount: 3 });
    expect(queue.VisibilityTimeout).toBe("30");
    // webhook jobs are retried for about a day (16 receives), whatever the other queues' count
    const webhooks = await queueAttributes(resources.webhooksQueueUrl);
    const webhooksDlq = await queueAttributes(resources.webhooksDlqUrl);
    expect(JSON.parse(webhooks.RedrivePolicy ?? "{}")).toEqual({ deadLetterTargetArn: webhooksDlq.QueueArn, maxReceiveCount: 16 });
    const identities = identitiesIn(await moto.data());
    expect(identities.filter((i) => i.endsWith("@first.test")).sort()).toEqual([...senders].sort());
  });

  it("reports each step once, as it finishes, with its time", async () => {
    // Prepare
    const steps: ProvisionStep[] = [];

    // Act
    await provision({ prefix: "provision-steps", senders: ["noreply@steps.test"], onStep: (step) => steps.push(step) });

    // Assess
    expect(steps.map((s) => s.name).sort()).toEqual(["key", "queues", "senders", "table"]);
    expect(steps.find((s) => s.name === "table")?.detail).toBe("provision-steps-messages");
    expect(steps.find((s) => s.name === "queues")?.detail).toBe("email, sms, secure-store, events, webhooks (+ DLQs)");
    expect(steps.find((s) => s.name === "senders")?.detail).toBe("noreply@steps.test (verified)");
    for (const step of steps) expect(step.ms).toBeGreaterThan(0);
  });

  it("changes nothing when it runs a second time", async () => {
    // Prepare
    const options = { prefix: "provision-twice", senders: ["noreply@twice.test", "billing@twice.test"], maxReceives: 4 };
    const first = await provision(options);
    const queuesBefore = await queueCount();
    proxy.counts.clear();

    // Act
    const second = await provision(options);

    // Assess
    expect(writes(proxy.counts)).toEqual([]);
    expect(second).toEqual(first);
    expect(await queueCount()).toBe(queuesBefore);
    const identities = identitiesIn(await moto.data()).filter((i) => i.endsWith("@twice.test"));
    expect(identities.sort()).toEqual(["billing@twice.test", "noreply@twice.test"]);
    const { Table } = await new DynamoDBClient({}).send(new DescribeTableCommand({ TableName: second.tableName }));
    expect(Table?.KeySchema?.map((k) => [k.AttributeName, k.KeyType])).toEqual([
      ["pk", "HASH"],
      ["sk", "RANGE"],
    ]);
    const queue = await queueAttributes(second.emailQueueUrl);
    const dlq = await queueAttributes(second.emailDlqUrl);
    expect(JSON.parse(queue.RedrivePolicy ?? "{}")).toEqual({ deadLetterTargetArn: dlq.QueueArn, maxReceiveCount: 4 });
  });

  it("updates the queue in place when its settings changed since the last run", async () => {
    // Prepare
    const first = await provision({ prefix: "provision-drift", senders: [], maxReceives: 3, visibilityTimeoutSeconds: 30 });
    const queuesBefore = await queueCount();

    // Act
    const second = await provision({ prefix: "provision-drift", senders: [], maxReceives: 6, visibilityTimeoutSeconds: 45 });

    // Assess
    expect(second).toEqual(first);
    expect(await queueCount()).toBe(queuesBefore);
    const queue = await queueAttributes(second.emailQueueUrl);
    expect(JSON.parse(queue.RedrivePolicy ?? "{}")).toMatchObject({ maxReceiveCount: 6 });
    expect(queue.VisibilityTimeout).toBe("45");
  });

  it("adds the stream to a table created before webhooks", async () => {
    // Prepare
    const dynamo = new DynamoDBClient({});
    await dynamo.send(
      new CreateTableCommand({
        TableName: "provision-old-messages",
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [
          { AttributeName: "pk", AttributeType: "S" },
          { AttributeName: "sk", AttributeType: "S" },
        ],
        KeySchema: [
          { AttributeName: "pk", KeyType: "HASH" },
          { AttributeName: "sk", KeyType: "RANGE" },
        ],
      }),
    );

    // Act
    await provision({ prefix: "provision-old", senders: [] });

    // Assess
    const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: "provision-old-messages" }));
    expect(Table?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" });
    expect(Table?.LatestStreamArn).toMatch(/:table\/provision-old-messages\/stream\//);
  });
});
