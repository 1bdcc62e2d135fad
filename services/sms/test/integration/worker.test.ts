import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { MessageRecord, QueueEnvelope, SmsContent } from "@herald/contracts";
import { messagesIn } from "@herald/delivery/testing";
import { DynamoMessageStore } from "@herald/messages/dynamo";
import { SqsMessageQueue } from "@herald/queue/sqs";
import { aMessageRecord, anEnvelope, emulatorEnv, provision, startMoto, stopChild, useEmulatorEnv, type Emulator, type Resources } from "@herald/testing";
import { startFakeTwilio, type FakeTwilio } from "../support/fake-twilio";

const SERVICE_DIR = fileURLToPath(new URL("../..", import.meta.url));
const ACCOUNT_SID = `AC${"d".repeat(32)}`;
const AUTH_TOKEN = "worker-test-auth-token-0f3c";
let moto: Emulator;
let twilio: FakeTwilio;
let resources: Resources;
const running: Worker[] = [];

beforeAll(async () => {
  moto = await startMoto();
  useEmulatorEnv(moto.endpoint);
  twilio = await startFakeTwilio({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
});

/*
 * Fresh queues per test: a stopped worker's long poll, aborted on our side, still runs in the
 * emulator and takes the next message sent to its queue out of sight for the visibility timeout.
 */
let run = 0;
beforeEach(async () => {
  run += 1;
  resources = await provision({ prefix: `sms-worker-${run}`, senders: [] });
});

// A worker a failed test left running is killed before its emulator goes away.
afterEach(async () => {
  await Promise.all(running.splice(0).map((w) => stopChild(w.child, 1_000)));
});

afterAll(async () => {
  await twilio?.stop();
  await moto?.stop();
});

type Worker = {
  child: ReturnType<typeof spawn>;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
};

/** Runs src/entrypoints/worker.ts as `npm run dev` does, with only the given HERALD_* settings. */
function startWorker(settings: Record<string, string>): Worker {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("HERALD_")));
  const child = spawn(process.execPath, ["--import", "tsx", "src/entrypoints/worker.ts"], {
    cwd: SERVICE_DIR,
    env: { ...inherited, ...emulatorEnv(moto.endpoint), ...settings },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const worker = { child, output: () => output, exited };
  running.push(worker);
  return worker;
}

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Creates the record and puts its envelope on the sms queue, as the ingest API does. */
async function aQueuedSms(to: string, text: string): Promise<{ record: MessageRecord; store: DynamoMessageStore }> {
  const content: SmsContent = { channel: "sms", to, text };
  const record = aMessageRecord({ channel: "sms", recipients: [to], content });
  const store = new DynamoMessageStore(new DynamoDBClient({}), resources.tableName);
  await store.create(record);
  const envelope: QueueEnvelope = { ...anEnvelope(record), channel: "sms" };
  await new SqsMessageQueue(new SQSClient({}), { sms: resources.smsQueueUrl }).enqueue("sms", envelope);
  return { record, store };
}

const base = () => ({ HERALD_TABLE_NAME: resources.tableName, HERALD_SMS_QUEUE_URL: resources.smsQueueUrl, HERALD_LOG_LEVEL: "INFO" });

describe("the sms worker process", () => {
  it("sends a queued SMS through SNS, empties the queue, never logs the number or text, and exits 0 on SIGTERM", async () => {
    // Prepare
    const { record, store } = await aQueuedSms("+447911123400", "Worker code 555111");
    const worker = startWorker(base());

    // Act
    await until("the message to be sent", async () => (await store.get(record.id))?.status === "sent");
    worker.child.kill("SIGTERM");
    const exit = await worker.exited;

    // Assess
    expect(exit).toEqual({ code: 0, signal: null });
    const sent = await store.get(record.id);
    expect(sent?.provider).toBe("sns");
    const sms = (await moto.data()).sns?.SMS ?? [];
    expect(sms.filter((m) => m.message_id === sent?.provider_message_id)).toEqual([
      { message_id: sent?.provider_message_id, phone_number: "+447911123400", message: "Worker code 555111" },
    ]);
    expect(await messagesIn(resources.smsQueueUrl)).toEqual({ visible: 0, inFlight: 0 });
    expect(worker.output()).toContain('"message":"message sent"');
    expect(worker.output()).toContain('"message":"stopping"');
    expect(worker.output()).not.toContain("7911123400");
    expect(worker.output()).not.toContain("555111");
  });

  it("sends through Twilio with the auth token read from Secrets Manager, and never prints it", async () => {
    // Prepare
    const secretName = `herald/sms-worker-${run}/TwilioAuthToken`;
    await new SecretsManagerClient({}).send(new CreateSecretCommand({ Name: secretName, SecretString: AUTH_TOKEN }));
    const { record, store } = await aQueuedSms("+447911123401", "Twilio worker");
    const worker = startWorker({
      ...base(),
      HERALD_LOG_LEVEL: "DEBUG",
      HERALD_SMS_PROVIDER: "twilio",
      HERALD_TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      HERALD_TWILIO_AUTH_TOKEN: `secretsmanager:${secretName}`,
      HERALD_TWILIO_MESSAGING_SERVICE_SID: `MG${"e".repeat(32)}`,
      HERALD_TWILIO_BASE_URL: twilio.baseUrl,
    });

    // Act
    await until("the message to be sent", async () => (await store.get(record.id))?.status === "sent");
    worker.child.kill("SIGINT");
    const exit = await worker.exited;

    // Assess
    expect(exit).toEqual({ code: 0, signal: null });
    const sent = await store.get(record.id);
    expect(sent?.provider).toBe("twilio");
    expect(twilio.created.filter((m) => m.sid === sent?.provider_message_id)).toEqual([
      { sid: sent?.provider_message_id, to: "+447911123401", body: "Twilio worker" },
    ]);
    expect(twilio.takeRejections()).toEqual([]);
    expect(worker.output()).not.toContain(AUTH_TOKEN);
    expect(worker.output()).not.toContain(Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString("base64"));
  });

  it("exits 1 with one line naming HERALD_TWILIO_AUTH_TOKEN when the provider is twilio and the token is missing", async () => {
    // Prepare
    const worker = startWorker({ ...base(), HERALD_SMS_PROVIDER: "twilio", HERALD_TWILIO_ACCOUNT_SID: ACCOUNT_SID, HERALD_TWILIO_FROM: "+15005550006" });

    // Act
    const exit = await worker.exited;

    // Assess
    expect(exit).toEqual({ code: 1, signal: null });
    expect(worker.output()).toBe("herald: invalid configuration: HERALD_TWILIO_AUTH_TOKEN: is required when HERALD_SMS_PROVIDER=twilio\n");
  });

  it("exits 1 with one line naming HERALD_SMS_QUEUE_URL when it is missing", async () => {
    // Prepare
    const worker = startWorker({ HERALD_TABLE_NAME: resources.tableName });

    // Act
    const exit = await worker.exited;

    // Assess
    expect(exit).toEqual({ code: 1, signal: null });
    expect(worker.output()).toBe("herald: invalid configuration: HERALD_SMS_QUEUE_URL: is required for the worker\n");
  });
});
