/**
 * The ingest API's own cost per request, without the network or AWS: the Hono app with in-memory
 * adapters, driven through app.request(). What is left of a request's latency on AWS is
 * DynamoDB and SQS.
 */
import { createApiKey, createAuthenticator } from "@herald/auth";
import { MemoryApiKeyStore } from "@herald/auth/memory";
import { ALL_ROLES } from "@herald/contracts";
import { EnvelopeCipher } from "@herald/crypto";
import { MemoryDataKeyProvider } from "@herald/crypto/memory";
import { MemoryMessageStore } from "@herald/messages/memory";
import { createLogger, systemClock } from "@herald/platform";
import { randomUUID } from "node:crypto";
import { hmacRecipient } from "../../services/ingest/src/adapters/hmac-recipient";
import { MemoryIdempotencyStore } from "../../services/ingest/src/adapters/memory-idempotency-store";
import { createApp } from "../../services/ingest/src/app";
import { fromCredentials } from "../../services/ingest/src/http/identity";

const N = Number(process.env.BENCH_REQUESTS ?? 20_000);

const apiKeys = new MemoryApiKeyStore();
const { key } = await createApiKey(apiKeys, { tenant: "bench", roles: [...ALL_ROLES] });
const app = createApp({
  store: new MemoryMessageStore(),
  queue: { enqueue: async () => "sqs-id", enqueueBatch: async (_queue, entries) => entries.map(() => true) },
  identify: fromCredentials(createAuthenticator({ apiKeys })),
  cipher: new EnvelopeCipher(new MemoryDataKeyProvider()),
  idempotency: new MemoryIdempotencyStore(),
  // the bench erases nothing; the audit key is only there because the app needs one
  recipientHmac: hmacRecipient({ source: "environment", value: async () => "bench-audit-key-".repeat(2), refresh: async () => "bench-audit-key-".repeat(2) }),
  clock: systemClock,
  newId: randomUUID,
  logger: createLogger("bench", "SILENT"),
  senders: { default: "noreply@herald.local", allowed: ["noreply@herald.local"] },
});
const body = JSON.stringify({
  channel: "email",
  to: ["a@example.com", "b@example.com"],
  cc: "c@example.com",
  subject: "Bench",
  html: `<p>${"x".repeat(2000)}</p>`,
  text: "x".repeat(2000),
});
const headers = { "content-type": "application/json", "x-api-key": key };

for (let i = 0; i < 2000; i++) await app.request("/v1/messages", { method: "POST", headers, body }); // warm-up
const started = performance.now();
for (let i = 0; i < N; i++) {
  const response = await app.request("/v1/messages", { method: "POST", headers, body });
  if (response.status !== 202) throw new Error(`status ${response.status}`);
}
const ms = performance.now() - started;
console.log(`ingest app alone (validation, auth, routing, record building; in-memory adapters): ${(N / (ms / 1000)).toFixed(0)} req/s on one core, ${((ms * 1000) / N).toFixed(0)} µs per POST /v1/messages`);
