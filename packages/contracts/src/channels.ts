import * as z from "zod";

/**
 * Every queue Herald has: one per channel (what a caller sends on), and the secure-store
 * consumer's. Everything that lists queues or channels derives from here: the Channel type, the
 * queue-URL settings, provisioning, the local stack (its processes, its state file's keys, the
 * dead-letter tool) and the infra queues. A new channel is one entry here, its content schemas
 * (message.ts, record.ts) and its consumer service.
 */
export const QUEUES = {
  email: { channel: true, key: "email", setting: "EMAIL", infra: "Email", service: "email" },
  sms: { channel: true, key: "sms", setting: "SMS", infra: "Sms", service: "sms" },
  "secure-store": { channel: false, key: "secure", setting: "SECURE", infra: "Secure", service: "secure-store" },
} as const satisfies Record<string, QueueSpec>;

export type QueueSpec = {
  /** Whether callers send on it (its name is then a `channel`). */
  channel: boolean;
  /** The stem of its fields in provisioning's result and .herald/local.json (`emailQueueUrl`). */
  key: string;
  /** The stem of its settings: HERALD_<setting>_QUEUE_URL and HERALD_<setting>_DLQ_URL. */
  setting: string;
  /** The stem of its infra resources: `<infra>Queue`, `<infra>Dlq`. */
  infra: string;
  /** The consumer service in services/<service>, with src/entrypoints/{lambda,worker}.ts. */
  service: string;
};

export type QueueName = keyof typeof QUEUES;
type Spec<Q extends QueueName> = (typeof QUEUES)[Q];
export type ChannelName = { [Q in QueueName]: Spec<Q>["channel"] extends true ? Q : never }[QueueName];

export const QUEUE_NAMES = Object.keys(QUEUES) as QueueName[];
export const CHANNELS = QUEUE_NAMES.filter((q): q is ChannelName => QUEUES[q].channel);

export type QueueUrlSetting<Q extends QueueName = QueueName> = `HERALD_${Spec<Q>["setting"]}_QUEUE_URL`;
export type DlqUrlSetting<Q extends QueueName = QueueName> = `HERALD_${Spec<Q>["setting"]}_DLQ_URL`;

export const queueUrlSetting = <Q extends QueueName>(queue: Q) => `HERALD_${QUEUES[queue].setting}_QUEUE_URL` as QueueUrlSetting<Q>;
export const dlqUrlSetting = <Q extends QueueName>(queue: Q) => `HERALD_${QUEUES[queue].setting}_DLQ_URL` as DlqUrlSetting<Q>;

/** `emailQueueUrl`, `emailDlqUrl`, ...: a queue's URLs as fields of one object. */
export type QueueUrlFields = { [Q in QueueName as `${Spec<Q>["key"]}QueueUrl`]: string } & {
  [Q in QueueName as `${Spec<Q>["key"]}DlqUrl`]: string;
};

export const queueUrlField = (queue: QueueName) => `${QUEUES[queue].key}QueueUrl` as keyof QueueUrlFields;
export const dlqUrlField = (queue: QueueName) => `${QUEUES[queue].key}DlqUrl` as keyof QueueUrlFields;

/** Builds the URL fields from each queue's URLs. */
export function queueUrlFields(urls: Record<QueueName, { url: string; dlqUrl: string }>): QueueUrlFields {
  const fields: Record<string, string> = {};
  for (const queue of QUEUE_NAMES) {
    fields[queueUrlField(queue)] = urls[queue].url;
    fields[dlqUrlField(queue)] = urls[queue].dlqUrl;
  }
  return fields as QueueUrlFields;
}

/** The queue-URL settings every producer needs (HERALD_EMAIL_QUEUE_URL, ...), each required. */
export const QueueUrlsEnv = z.object(
  Object.fromEntries(
    QUEUE_NAMES.map((queue) => [queueUrlSetting(queue), z.string({ error: "is required" }).min(1, { error: "is required" })]),
  ) as Record<QueueUrlSetting, z.ZodString>,
);

/** Those settings, parsed, by queue name. */
export function queueUrlsFrom(settings: Record<QueueUrlSetting, string>): Record<QueueName, string> {
  return Object.fromEntries(QUEUE_NAMES.map((queue) => [queue, settings[queueUrlSetting(queue)]])) as Record<QueueName, string>;
}

/** Only the queue-URL fields of an object that has them (provisioning's result → the state file). */
export function pickQueueUrlFields(source: QueueUrlFields): QueueUrlFields {
  const fields: Record<string, string> = {};
  for (const queue of QUEUE_NAMES) {
    fields[queueUrlField(queue)] = source[queueUrlField(queue)];
    fields[dlqUrlField(queue)] = source[dlqUrlField(queue)];
  }
  return fields as QueueUrlFields;
}
