import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoMessageStore } from "@herald/messages/dynamo";
import { aMessageRecord, anEnvelope, emulatorEnv, provision, startMoto, useEmulatorEnv, type Emulator, type Resources } from "@herald/testing";
import { REPO_ROOT } from "../../src/config";

const run = promisify(execFile);
let moto: Emulator;
let resources: Resources;

beforeAll(async () => {
  moto = await startMoto();
  useEmulatorEnv(moto.endpoint);
  resources = await provision({ prefix: "dlq-it", senders: [] });
});

afterAll(async () => {
  await moto.stop();
});

async function dlq(...args: string[]): Promise<string> {
  const env = {
    ...process.env,
    ...emulatorEnv(moto.endpoint),
    HERALD_TABLE_NAME: resources.tableName,
    HERALD_EMAIL_QUEUE_URL: resources.emailQueueUrl,
    HERALD_EMAIL_DLQ_URL: resources.emailDlqUrl,
  };
  const { stdout } = await run(process.execPath, ["--import", "tsx", "services/local/src/dlq.ts", ...args], { cwd: REPO_ROOT, env });
  return stdout;
}

describe("npm run dlq", () => {
  it("lists, shows why messages died, and redrives envelopes but not poison", async () => {
    // Prepare: a dead-lettered message and a poison body in the email DLQ
    const store = new DynamoMessageStore(new DynamoDBClient({}), resources.tableName);
    const record = aMessageRecord();
    await store.create(record);
    await store.transition(record.id, { to: "dead_lettered", at: new Date(), code: "email.throttled", reason: "SES throttled the send" });
    const sqs = new SQSClient({});
    await sqs.send(new SendMessageCommand({ QueueUrl: resources.emailDlqUrl, MessageBody: JSON.stringify(anEnvelope(record)) }));
    await sqs.send(new SendMessageCommand({ QueueUrl: resources.emailDlqUrl, MessageBody: "{poison" }));

    // Act + Assess: list
    expect(await dlq("list")).toMatch(/^email\s+2 waiting/m);

    // show
    const shown = await dlq("show", "email");
    expect(shown).toContain(record.id);
    expect(shown).toMatch(/dead_lettered\s+email\.throttled: SES throttled the send/);
    expect(shown).toContain("not an envelope");

    // redrive
    expect(await dlq("redrive", "email")).toContain("redriven 1 to email; left 1 poison");
    expect((await store.get(record.id))?.status).toBe("retrying");
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: resources.emailQueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    expect(Messages.map((m) => JSON.parse(m.Body ?? "{}").id)).toEqual([record.id]);
  });

  it("refuses an unknown queue with exit code 2 and the usage", async () => {
    const failure = await dlq("show", "fax").catch((e: unknown) => e as { code: number; stderr: string });
    expect(failure).toMatchObject({ code: 2 });
    expect((failure as { stderr: string }).stderr).toContain("QUEUE must be one of email, sms, secure-store");
  });
});
