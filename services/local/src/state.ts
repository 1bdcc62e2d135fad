import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import * as z from "zod";
import { dlqUrlField, QUEUE_NAMES, queueUrlField, type QueueUrlFields } from "@herald/contracts";

/** Every registry queue's URLs: `emailQueueUrl`, `emailDlqUrl`, `smsQueueUrl`, ... */
const QueueUrlState = z.object(
  Object.fromEntries(QUEUE_NAMES.flatMap((name) => [queueUrlField(name), dlqUrlField(name)]).map((field) => [field, z.string()])) as Record<
    keyof QueueUrlFields,
    z.ZodString
  >,
);

/** What `npm start` leaves in `.herald/local.json` for tools and tests. */
export const LocalState = z
  .object({
    url: z.string(),
    apiKey: z.string(),
    awsEndpoint: z.string(),
    tableName: z.string(),
    kmsKeyId: z.string().optional(),
    /** The erasure audit's HMAC key npm start generated (not one HERALD_AUDIT_HMAC_KEY gave). */
    auditHmacKey: z.string().optional(),
    pid: z.number().int().optional(),
    /** The events queue (SES's events, SNS-wrapped) and its DLQ; absent in a state file from before them. */
    eventsQueueUrl: z.string().optional(),
    eventsDlqUrl: z.string().optional(),
    /** The webhook jobs queue and its DLQ; absent in a state file from before webhooks. */
    webhooksQueueUrl: z.string().optional(),
    webhooksDlqUrl: z.string().optional(),
  })
  .extend(QueueUrlState.shape);
export type LocalState = z.infer<typeof LocalState>;

export const stateFile = (stateDir: string) => join(stateDir, "local.json");

export async function readState(stateDir: string): Promise<LocalState | undefined> {
  try {
    return LocalState.parse(JSON.parse(await readFile(stateFile(stateDir), "utf8")));
  } catch {
    return undefined;
  }
}

export async function writeState(stateDir: string, state: LocalState): Promise<void> {
  await mkdir(stateDir, { recursive: true });
  const tmp = `${stateFile(stateDir)}.tmp`;
  // The file holds keys: owner-only, and written whole (rename) so a reader never sees half.
  await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await rename(tmp, stateFile(stateDir));
}
