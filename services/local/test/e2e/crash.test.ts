import type { ChildProcess } from "node:child_process";
import { spawn } from "node:child_process";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, describe, expect, it } from "vitest";
import { createApiKey } from "@herald/auth";
import { DynamoApiKeyStore } from "@herald/auth/dynamo";
import { ALL_ROLES } from "@herald/contracts";
import type { MessageRecord } from "@herald/contracts";
import { DynamoMessageStore } from "@herald/messages/dynamo";
import { emulatorEnv, freePort, provision, startMoto, stopChild, type Emulator, type MotoData } from "@herald/testing";
import { REPO_ROOT } from "../../src/config";
import { waitFor } from "./stack";

/*
 * Fault test: 1,000 messages flow through the ingest API and three email workers while workers
 * are killed with SIGKILL and restarted. Afterwards every accepted message is final (sent, or
 * explicitly failed or dead-lettered), SES holds each sent one, and duplicates are at most one
 * per kill (the documented window: sent, then killed before `sent` was written).
 */

const children: ChildProcess[] = [];
let moto: Emulator | undefined;

afterAll(async () => {
  await Promise.all(children.map((c) => stopChild(c, 2000)));
  await moto?.stop();
});

function spawnService(entry: string, env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ["--import", "tsx", entry], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: "ignore" });
  children.push(child);
  return child;
}

describe("fault: workers killed while 1,000 messages flow", () => {
  it("ends with every message final, each sent one in SES, duplicates at most one per kill", async () => {
    // Prepare
    moto = await startMoto();
    const aws = emulatorEnv(moto.endpoint);
    Object.assign(process.env, aws);
    // A short lease and visibility timeout, so a killed worker's messages come back in seconds.
    const resources = await provision({ prefix: "crash", senders: ["noreply@herald.test"], visibilityTimeoutSeconds: 20 });
    const apiKey = (await createApiKey(new DynamoApiKeyStore(new DynamoDBClient({}), resources.tableName), { tenant: "acme", roles: [...ALL_ROLES] })).key;
    const port = await freePort();
    const env = {
      ...aws,
      HERALD_TABLE_NAME: resources.tableName,
      HERALD_EMAIL_QUEUE_URL: resources.emailQueueUrl,
      HERALD_SMS_QUEUE_URL: resources.smsQueueUrl,
      HERALD_SECURE_QUEUE_URL: resources.secureQueueUrl,
      HERALD_EMAIL_FROM: "noreply@herald.test",
      HERALD_PORT: String(port),
      HERALD_CLAIM_LEASE_SECONDS: "10",
      HERALD_EMAIL_MAX_SEND_RATE: "0",
      HERALD_LOG_LEVEL: "ERROR",
      HERALD_AUDIT_HMAC_KEY: "crash-test-audit-key-of-32-characters",
    };
    spawnService("services/ingest/src/entrypoints/server.ts", env);
    const url = `http://127.0.0.1:${port}`;
    await waitFor("the ingest API", async () => ((await fetch(`${url}/health`).catch(() => undefined))?.ok ? true : undefined));
    const worker = () => spawnService("services/email/src/entrypoints/worker.ts", env);
    const workers = [worker(), worker(), worker()];
    const N = 1000;
    const started = Date.now();

    // Act: accept 1,000 in batches of 100 while killing a worker every ~1.5 s, five times
    const ids: string[] = [];
    const sending = (async () => {
      for (let b = 0; b < N / 100; b++) {
        const response = await fetch(`${url}/v1/messages/batch`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-api-key": apiKey },
          body: JSON.stringify({ items: Array.from({ length: 100 }, (_, i) => ({ message: { channel: "email", to: `u${b * 100 + i}@example.com`, subject: `Crash ${b * 100 + i}`, text: "t" } })) }),
        });
        const { results } = (await response.json()) as { results: { status: number; id: string }[] };
        for (const r of results) if (r.status === 202) ids.push(r.id);
      }
    })();
    let kills = 0;
    for (; kills < 5; kills++) {
      await new Promise((r) => setTimeout(r, 1500));
      const victim = kills % workers.length;
      workers[victim]?.kill("SIGKILL");
      workers[victim] = worker();
    }
    await sending;
    const store = new DynamoMessageStore(new DynamoDBClient({}), resources.tableName);
    // Poll gently (the emulator is shared with the workers): only what is not final yet, 50 at a time.
    const records = new Map<string, MessageRecord>();
    const pending = new Set(ids);
    const deadline = Date.now() + 240_000;
    while (pending.size > 0) {
      if (Date.now() > deadline) throw new Error(`${pending.size} messages never became final`);
      for (const id of [...pending].slice(0, 50)) {
        const record = await store.get(id);
        if (record && ["sent", "failed", "dead_lettered"].includes(record.status)) {
          records.set(id, record);
          pending.delete(id);
        }
      }
      if (pending.size > 0) await new Promise((r) => setTimeout(r, 500));
    }
    const final = [...records.values()];
    const drainMs = Date.now() - started;

    // Assess
    expect(ids).toHaveLength(N);
    const data = (await moto.data()) as MotoData;
    const bySubject = new Map<string, number>();
    for (const m of data.ses?.Message ?? []) bySubject.set(m.subject, (bySubject.get(m.subject) ?? 0) + 1);
    const sent = final.filter((r) => r.status === "sent");
    const duplicates = [...bySubject.values()].reduce((n, c) => n + c - 1, 0);
    process.stdout.write(
      `crash fault: ${N} messages, ${kills} SIGKILLs, ${sent.length} sent, ${final.length - sent.length} failed/dead-lettered, ` +
        `${duplicates} duplicates, drained in ${drainMs} ms\n`,
    );
    for (const r of sent) {
      const subject = r.content?.channel === "email" ? r.content.subject : "";
      expect(bySubject.get(subject) ?? 0).toBeGreaterThanOrEqual(1);
    }
    expect(duplicates).toBeLessThanOrEqual(kills);
    expect(sent.length).toBe(N);
  }, 300_000);
});
