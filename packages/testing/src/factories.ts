import { randomUUID } from "node:crypto";
import type { SQSRecord } from "aws-lambda";
import type { MessageRecord, QueueEnvelope } from "@herald/contracts";
import type { SendMessageInput } from "@herald/contracts/send";

export function anEmailRequest(overrides: Partial<Extract<SendMessageInput, { channel: "email" }>> = {}) {
  return {
    channel: "email" as const,
    to: ["alice@example.com"],
    subject: "Your receipt",
    text: "Thanks for your order.",
    ...overrides,
  };
}

export function aMessageRecord(overrides: Partial<MessageRecord> = {}): MessageRecord {
  const at = overrides.created_at ?? new Date().toISOString();
  return {
    id: randomUUID(),
    tenant: "acme",
    principal: "key:test",
    channel: "email",
    status: "queued",
    created_at: at,
    updated_at: at,
    store_secure: false,
    recipients: ["alice@example.com"],
    content: {
      channel: "email",
      from: "noreply@herald.local",
      to: ["alice@example.com"],
      subject: "Your receipt",
      text: "Thanks for your order.",
    },
    attempts: 0,
    history: [{ status: "queued", at }],
    ...overrides,
  };
}

export function anEnvelope(record: Pick<MessageRecord, "id" | "tenant" | "principal">): QueueEnvelope {
  return { v: 1, id: record.id, tenant: record.tenant, principal: record.principal, channel: "email" };
}

export function anSqsRecord(body: unknown, overrides: Partial<SQSRecord["attributes"]> = {}): SQSRecord {
  const messageId = randomUUID();
  return {
    messageId,
    receiptHandle: `rh-${messageId}`,
    body: typeof body === "string" ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: "1",
      SentTimestamp: String(Date.now()),
      SenderId: "AIDATEST",
      ApproximateFirstReceiveTimestamp: String(Date.now()),
      ...overrides,
    },
    messageAttributes: {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    // Region "local": no queue URL is derived from it, so a test never addresses a real AWS host.
    eventSourceARN: "arn:aws:sqs:local:000000000000:herald-email",
    awsRegion: "local",
  };
}
