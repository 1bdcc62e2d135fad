import { createApiKey, createAuthenticator } from "@herald/auth";
import { MemoryApiKeyStore } from "@herald/auth/memory";
import { ALL_ROLES, type QueueEnvelope, type Role, type WebhookJob } from "@herald/contracts";
import { MemoryMessageStore, MemorySuppressionList } from "@herald/messages/memory";
import { createLogger } from "@herald/platform";
import { EnvelopeCipher } from "@herald/crypto";
import { MemoryDataKeyProvider } from "@herald/crypto/memory";
import type { BatchEntry, EnqueueOptions, MessageQueue, QueueName } from "@herald/queue";
import { MemoryWebhookStore } from "@herald/webhooks/memory";
import { hmacRecipient } from "../../src/adapters/hmac-recipient";
import { MemoryIdempotencyStore } from "../../src/adapters/memory-idempotency-store";
import { createApp, type AppDeps } from "../../src/app";
import type { WebhookSettings } from "../../src/domain/webhooks";
import type { WebhookJobQueue } from "../../src/ports/webhook-job-queue";
import { fromCredentials } from "../../src/http/identity";

/** A queue port that records what it was given, and can be told to fail. */
export class RecordingQueue implements MessageQueue {
  readonly sent: { queue: QueueName; envelope: QueueEnvelope; options: EnqueueOptions }[] = [];
  failWith: Error | undefined;
  /** Fail only for this queue (all queues when unset). */
  failOn: QueueName | undefined;
  async enqueue(queue: QueueName, envelope: QueueEnvelope, options: EnqueueOptions = {}): Promise<string> {
    if (this.failWith && (this.failOn === undefined || this.failOn === queue)) throw this.failWith;
    this.sent.push({ queue, envelope, options });
    return `sqs-${this.sent.length}`;
  }
  readonly batchCalls: { queue: QueueName; size: number }[] = [];
  /** Entries whose envelope id is listed here are reported unqueued, as SQS's Failed list would. */
  readonly rejectIds = new Set<string>();
  async enqueueBatch(queue: QueueName, entries: readonly BatchEntry[]): Promise<boolean[]> {
    const results: boolean[] = [];
    for (let i = 0; i < entries.length; i += 10) {
      const chunk = entries.slice(i, i + 10);
      this.batchCalls.push({ queue, size: chunk.length });
      for (const entry of chunk) {
        const ok = !this.rejectIds.has(entry.envelope.id) && !(this.failWith && (this.failOn === undefined || this.failOn === queue));
        if (ok) this.sent.push({ queue, envelope: entry.envelope, options: { delaySeconds: entry.delaySeconds ?? 0 } });
        results.push(ok);
      }
    }
    return results;
  }
}

/** A webhooks queue port that records the jobs it was given, and can be told to fail. */
export class RecordingWebhookJobs implements WebhookJobQueue {
  readonly sent: WebhookJob[] = [];
  failWith: Error | undefined;
  async enqueue(job: WebhookJob): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.sent.push(structuredClone(job));
  }
}

export const NOW = new Date("2026-11-23T10:00:00.000Z");

/** The unit tests' HERALD_AUDIT_HMAC_KEY. */
export const AUDIT_KEY = "unit-test-audit-key-of-32-characters";

export type IngestAppOptions = { now?: Date; webhooks?: Partial<WebhookSettings> } & Partial<
  Pick<AppDeps, "identify" | "throttle" | "corsOrigins" | "sms" | "recipientHmac" | "logger">
>;

export async function anIngestApp(options: IngestAppOptions = {}) {
  const store = new MemoryMessageStore();
  const suppressions = new MemorySuppressionList();
  const queue = new RecordingQueue();
  const apiKeys = new MemoryApiKeyStore();
  const keys = new MemoryDataKeyProvider();
  const cipher = new EnvelopeCipher(keys);
  const webhooks = new MemoryWebhookStore();
  const webhookJobs = new RecordingWebhookJobs();
  let n = 0;
  const app = createApp({
    store,
    queue,
    identify: options.identify ?? fromCredentials(createAuthenticator({ apiKeys })),
    ...(options.throttle && { throttle: options.throttle }),
    ...(options.corsOrigins && { corsOrigins: options.corsOrigins }),
    ...(options.sms && { sms: options.sms }),
    cipher,
    idempotency: new MemoryIdempotencyStore(),
    suppressions,
    recipientHmac: options.recipientHmac ?? hmacRecipient({ source: "environment", value: async () => AUDIT_KEY, refresh: async () => AUDIT_KEY }),
    clock: { now: () => options.now ?? NOW },
    newId: () => `00000000-0000-4000-8000-${String(++n).padStart(12, "0")}`,
    webhooks: { store: webhooks, cipher, urlPolicy: { allowLoopback: false }, jobs: webhookJobs, ...options.webhooks },
    logger: options.logger ?? createLogger("ingest-test", "SILENT"),
    senders: { default: "noreply@herald.local", allowed: ["noreply@herald.local", "@acme.example"] },
  });
  const keyFor = async (roles: readonly Role[] = ALL_ROLES, tenant = "acme", principal?: string) =>
    (await createApiKey(apiKeys, { tenant, roles: [...roles], ...(principal && { principal }) })).key;
  const key = await keyFor();
  const post = (body: unknown, headers: Record<string, string> = {}, apiKey = key) =>
    app.request("/v1/messages", {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": apiKey, ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
  const get = (path: string, apiKey = key) => app.request(path, { headers: { "x-api-key": apiKey } });
  return { app, store, suppressions, webhooks, webhookJobs, queue, apiKeys, cipher, keys, key, keyFor, post, get };
}
