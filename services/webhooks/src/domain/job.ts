import type { SQSRecord } from "aws-lambda";
import { WebhookJob } from "@herald/contracts";
import { PoisonMessageError } from "@herald/queue";

/** The webhooks queue's records → jobs; a body that is not one is poison (to the DLQ after the bounded receives). */
export function parseJob(record: SQSRecord): WebhookJob {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch (error) {
    throw new PoisonMessageError(record.messageId, error);
  }
  const parsed = WebhookJob.safeParse(body);
  if (!parsed.success) throw new PoisonMessageError(record.messageId, parsed.error);
  return parsed.data;
}
