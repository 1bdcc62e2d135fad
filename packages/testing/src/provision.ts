import { QUEUE_NAMES, queueUrlFields, type QueueName, type QueueUrlFields } from "@herald/contracts";
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ResourceNotFoundException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from "@aws-sdk/client-dynamodb";
import { TABLE } from "@herald/table";
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  EnableKeyRotationCommand,
  KMSClient,
  NotFoundException as KmsNotFound,
} from "@aws-sdk/client-kms";
import { CreateEmailIdentityCommand, GetEmailIdentityCommand, NotFoundException, SESv2Client } from "@aws-sdk/client-sesv2";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  QueueDoesNotExist,
  SetQueueAttributesCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";

export type ProvisionOptions = {
  /** Resource name prefix, e.g. "herald" → table "herald-messages", queue "herald-email". */
  prefix?: string;
  /** Verified senders (SES email identities). */
  senders: readonly string[];
  /** Receives before a message moves to its dead-letter queue. */
  maxReceives?: number;
  /**
   * Receives of a webhook job before it moves to the webhooks DLQ: the webhook consumer's
   * HERALD_WEBHOOK_MAX_ATTEMPTS (16: about a day of backoff).
   */
  webhookMaxAttempts?: number;
  /** Seconds a received message stays invisible to other consumers. */
  visibilityTimeoutSeconds?: number;
  /** Called as each step finishes (they run at once), for progress lines: "queues", "email, sms, ...", 480 ms. */
  onStep?: (step: ProvisionStep) => void;
  /** Client settings (endpoint, region, credentials) for a caller whose environment does not point at the emulator. */
  client?: AwsClientConfig;
};

export type AwsClientConfig = {
  endpoint?: string;
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
};

export type ProvisionStep = { name: "table" | "queues" | "key" | "senders"; detail: string; ms: number };

/** The table, every registry queue's URLs (`emailQueueUrl`, `emailDlqUrl`, ...), the events queue and the key. */
export type Resources = {
  tableName: string;
  /** Where provider events (SES's, SNS-wrapped) arrive for the events consumer, and its DLQ. */
  eventsQueueUrl: string;
  eventsDlqUrl: string;
  /** Webhook jobs (one event for one endpoint) for the webhook consumer, and their DLQ. */
  webhooksQueueUrl: string;
  webhooksDlqUrl: string;
  /** The KMS key store_secure data keys come from (alias/<prefix>-secure). */
  kmsKeyId: string;
} & QueueUrlFields;

/**
 * Creates what Herald needs in an AWS emulator (or an account): the table (with its stream, which
 * the webhook fan-out reads), the email, sms, secure-store, events and webhooks queues with their
 * dead-letter queues, the KMS key (store_secure content, webhook secrets), and the verified
 * senders. Idempotent: run twice, the second run changes
 * nothing. On AWS the same shapes come from sst.config.ts.
 */
export async function provision(options: ProvisionOptions): Promise<Resources> {
  const prefix = options.prefix ?? "herald";
  const tableName = `${prefix}-messages`;
  const maxReceives = options.maxReceives ?? 5;
  const client = options.client ?? {};
  const visibility = options.visibilityTimeoutSeconds ?? 60;
  const started = performance.now();
  const step = <T>(name: ProvisionStep["name"], detail: string, work: Promise<T>): Promise<T> =>
    work.then((value) => {
      options.onStep?.({ name, detail, ms: performance.now() - started });
      return value;
    });
  const [queueUrls, kmsKeyId] = await Promise.all([
    step(
      "queues",
      `${QUEUE_NAMES.join(", ")}, events, webhooks (+ DLQs)`,
      Promise.all([
        ...[...QUEUE_NAMES, "events"].map((name) => ensureQueueWithDlq(client, `${prefix}-${name}`, maxReceives, visibility)),
        ensureQueueWithDlq(client, `${prefix}-webhooks`, options.webhookMaxAttempts ?? 16, visibility),
      ]),
    ),
    step("key", `alias/${prefix}-secure`, ensureKey(client, `alias/${prefix}-secure`)),
    step("table", tableName, ensureTable(client, tableName)),
    step("senders", `${options.senders.join(", ") || "none"} (verified)`, Promise.all(options.senders.map((sender) => ensureSender(client, sender)))),
  ]);
  const byQueue = Object.fromEntries(QUEUE_NAMES.map((name, i) => [name, queueUrls[i]])) as Record<QueueName, { url: string; dlqUrl: string }>;
  const events = queueUrls[QUEUE_NAMES.length] as { url: string; dlqUrl: string };
  const webhooks = queueUrls[QUEUE_NAMES.length + 1] as { url: string; dlqUrl: string };
  return {
    tableName,
    kmsKeyId,
    eventsQueueUrl: events.url,
    eventsDlqUrl: events.dlqUrl,
    webhooksQueueUrl: webhooks.url,
    webhooksDlqUrl: webhooks.dlqUrl,
    ...queueUrlFields(byQueue),
  };
}

async function ensureKey(client: AwsClientConfig, alias: string): Promise<string> {
  const kms = new KMSClient(client);
  try {
    const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId: alias }));
    if (KeyMetadata?.KeyId) return KeyMetadata.KeyId;
  } catch (error) {
    if (!(error instanceof KmsNotFound)) throw error;
  }
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: `Herald store_secure (${alias})` }));
  const keyId = KeyMetadata?.KeyId as string;
  await kms.send(new EnableKeyRotationCommand({ KeyId: keyId }));
  await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: keyId }));
  return keyId;
}

/** What the webhook fan-out reads: every write, with the item before and after it. */
const STREAM = { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" } as const;

/** The table as @herald/table defines it (infra/storage.ts creates the same on AWS), with its TTL and stream. */
async function ensureTable(client: AwsClientConfig, tableName: string): Promise<void> {
  const dynamo = new DynamoDBClient(client);
  let exists = true;
  try {
    const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: tableName }));
    // a table from before webhooks: the stream is added (a stream of other images is left: changing it loses its records)
    if (!Table?.StreamSpecification?.StreamEnabled) {
      await dynamo.send(new UpdateTableCommand({ TableName: tableName, StreamSpecification: STREAM }));
    }
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
    exists = false;
  }
  if (!exists) {
    await dynamo.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [
          { AttributeName: TABLE.hashKey, AttributeType: "S" },
          { AttributeName: TABLE.rangeKey, AttributeType: "S" },
        ],
        KeySchema: [
          { AttributeName: TABLE.hashKey, KeyType: "HASH" },
          { AttributeName: TABLE.rangeKey, KeyType: "RANGE" },
        ],
        SSESpecification: { Enabled: true },
        StreamSpecification: STREAM,
      }),
    );
    await waitUntilTableExists({ client: dynamo, maxWaitTime: 30 }, { TableName: tableName });
  }
  const { TimeToLiveDescription } = await dynamo.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  if (TimeToLiveDescription?.TimeToLiveStatus !== "ENABLED") {
    await dynamo.send(
      new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: TABLE.ttlAttribute, Enabled: true } }),
    );
  }
}

async function ensureQueue(client: AwsClientConfig, name: string, attributes: Record<string, string>): Promise<string> {
  const sqs = new SQSClient(client);
  let url: string | undefined;
  try {
    url = (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl;
  } catch (error) {
    if (!(error instanceof QueueDoesNotExist)) throw error;
  }
  if (!url) {
    return (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl as string;
  }
  const current: Record<string, string | undefined> =
    (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] }))).Attributes ?? {};
  const drift = Object.entries(attributes).filter(([key, value]) => !sameAttribute(value, current[key]));
  if (drift.length > 0) {
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: Object.fromEntries(drift) }));
  }
  return url;
}

/** SQS echoes a JSON attribute (RedrivePolicy) re-serialised (moto adds spaces): compare its fields. */
function sameAttribute(wanted: string, current: string | undefined): boolean {
  if (current === wanted) return true;
  if (current === undefined || !wanted.startsWith("{")) return false;
  const fields = (json: string) =>
    JSON.stringify(Object.entries(JSON.parse(json) as Record<string, unknown>).map(([k, v]) => [k, String(v)]).sort());
  try {
    return fields(current) === fields(wanted);
  } catch {
    return false;
  }
}

async function ensureQueueWithDlq(client: AwsClientConfig, name: string, maxReceives: number, visibilityTimeout: number) {
  const sqs = new SQSClient(client);
  const dlqUrl = await ensureQueue(client, `${name}-dlq`, { MessageRetentionPeriod: String(14 * 24 * 3600), SqsManagedSseEnabled: "true" });
  const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ["QueueArn"] })))
    .Attributes?.QueueArn as string;
  const url = await ensureQueue(client, name, {
    VisibilityTimeout: String(visibilityTimeout),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: maxReceives }),
    SqsManagedSseEnabled: "true",
  });
  return { url, dlqUrl };
}

async function ensureSender(client: AwsClientConfig, identity: string): Promise<void> {
  const ses = new SESv2Client(client);
  try {
    await ses.send(new GetEmailIdentityCommand({ EmailIdentity: identity }));
    return;
  } catch (error) {
    if (!(error instanceof NotFoundException)) throw error;
  }
  await ses.send(new CreateEmailIdentityCommand({ EmailIdentity: identity }));
}
