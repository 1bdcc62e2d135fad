/**
 * The ingest app as the Node server and the Lambda build it, with in-memory adapters instead of
 * DynamoDB and SQS: what is measured is the app's own work per request (routing, validation,
 * authentication by API key, record building, logging), not the emulator's.
 */
import { randomUUID } from "node:crypto";
import { createApiKey, createAuthenticator } from "@herald/auth";
import { MemoryApiKeyStore } from "@herald/auth/memory";
import { ALL_ROLES } from "@herald/contracts";
import { EnvelopeCipher } from "@herald/crypto";
import { MemoryDataKeyProvider } from "@herald/crypto/memory";
import { MemoryMessageStore } from "@herald/messages/memory";
import { createLogger, systemClock } from "@herald/platform";
import { hmacRecipient } from "../../../services/ingest/src/adapters/hmac-recipient";
import { MemoryIdempotencyStore } from "../../../services/ingest/src/adapters/memory-idempotency-store";
import { createApp } from "../../../services/ingest/src/app";
import { fromCredentials } from "../../../services/ingest/src/http/identity";

export async function memoryIngestApp(logLevel: string) {
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
    logger: createLogger("ingest", logLevel),
    senders: { default: "noreply@herald.local", allowed: ["noreply@herald.local"] },
  });
  return { app, key };
}

/** A small email, as most are: one recipient, a subject, a short text. */
export const SMALL_EMAIL = { channel: "email", to: "user@example.com", subject: "Your code", text: "Your sign-in code is 123456." };
