import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { emulatorClientConfig } from "@herald/testing";
import { REPO_ROOT } from "../../src/config";
import { cleanUp, run, startStack, stopEmulators, untilRunning, waitFor, type Local, type Stack } from "./stack";

/*
 * Item 6 end to end: the sms worker against a Twilio that answers slowly. One record's budget is
 * the send timeout (1 s) plus the 2 s margin; each batch has 7 s (the worker's twin of the Lambda
 * timeout; the secure-store worker's budget is 7 s), so a batch starts records for 4 s, about
 * five 700 ms sends, and hands the rest of its ten back, unstarted.
 */

const ACCOUNT_SID = `AC${"e".repeat(32)}`;
const AUTH_TOKEN = "e2e-twilio-token";

type SlowTwilio = { baseUrl: string; delayMs: number; creates: Map<string, number>; stop(): Promise<void> };

/** Twilio's create-a-Message endpoint, answering 201 after `delayMs`; counts creates per To. */
async function startSlowTwilio(delayMs: number): Promise<SlowTwilio> {
  const creates = new Map<string, number>();
  const twilio: SlowTwilio = { baseUrl: "", delayMs, creates, stop: async () => undefined };
  const server: Server = createServer((req, res) => {
    let raw = "";
    req.on("data", (chunk: Buffer) => (raw += chunk.toString()));
    req.on("end", () => {
      const to = new URLSearchParams(raw).get("To") ?? "";
      const ok = req.url === `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json` && req.headers.authorization === `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString("base64")}`;
      setTimeout(() => {
        if (!ok) {
          res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ code: 20003, status: 401 }));
          return;
        }
        creates.set(to, (creates.get(to) ?? 0) + 1);
        res.writeHead(201, { "content-type": "application/json" }).end(JSON.stringify({ sid: `SM${randomBytes(16).toString("hex")}`, to, status: "queued" }));
      }, twilio.delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  twilio.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  twilio.stop = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return twilio;
}

const twilios: SlowTwilio[] = [];
afterEach(async () => {
  await cleanUp();
  await Promise.all(twilios.splice(0).map((t) => t.stop()));
});
afterAll(stopEmulators);

async function aStackWithSlowTwilio(env: Record<string, string>) {
  const twilio = await startSlowTwilio(700);
  twilios.push(twilio);
  const stack = await startStack({
    HERALD_SMS_PROVIDER: "twilio",
    HERALD_TWILIO_ACCOUNT_SID: ACCOUNT_SID,
    HERALD_TWILIO_AUTH_TOKEN: AUTH_TOKEN,
    HERALD_TWILIO_FROM: "+15005550006",
    HERALD_TWILIO_BASE_URL: twilio.baseUrl,
    HERALD_SEND_TIMEOUT_MS: "1000",
    HERALD_WORKER_BATCH_TIMEOUT_SECONDS: "7",
    HERALD_DEAD_LETTER_SWEEP_SECONDS: "1",
    ...env,
  });
  const local = await untilRunning(stack);
  return { twilio, stack, local };
}

type View = { id: string; status: string; attempts: number; failure?: { code: string }; history: { status: string }[] };

/** N SMS in one batch call (one SendMessageBatch, so the worker receives them together). */
async function sendSms(local: Local, n: number): Promise<{ id: string; to: string }[]> {
  const tos = Array.from({ length: n }, (_, i) => `+1415555${String(1000 + i)}`);
  const response = await fetch(`${local.url}/v1/messages/batch`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": local.apiKey },
    body: JSON.stringify({ items: tos.map((to) => ({ message: { channel: "sms", to, text: "budget" } })) }),
  });
  const { results } = (await response.json()) as { results: { status: number; id: string }[] };
  expect(results.map((r) => r.status)).toEqual(tos.map(() => 202));
  return results.map((r, i) => ({ id: r.id, to: tos[i] ?? "" }));
}

const view = async (local: Local, id: string) =>
  (await (await fetch(`${local.url}/v1/messages/${id}`, { headers: { "x-api-key": local.apiKey } })).json()) as View;

function settled(local: Local, ids: string[], final: (v: View) => boolean, timeoutMs: number) {
  return waitFor(
    "every message to settle",
    async () => {
      const views = await Promise.all(ids.map((id) => view(local, id)));
      return views.every(final) ? views : undefined;
    },
    timeoutMs,
  );
}

/** The sms worker's "records handed back" log lines, by how many each handed back. */
const handedBack = (stack: Stack) =>
  stack
    .output()
    .split("\n")
    .filter((l) => l.startsWith("[sms]") && l.includes("records handed back, not started"))
    .map((l) => (JSON.parse(l.slice("[sms] ".length)) as { handedBack: number }).handedBack);

describe("consumer time budget: a provider that answers slowly", () => {
  it("hands back the records a batch has no time for, and sends each of them later, once, without an attempt for the wait", async () => {
    // Prepare
    const { twilio, stack, local } = await aStackWithSlowTwilio({ HERALD_MAX_RECEIVES: "20" });

    // Act
    const started = Date.now();
    const messages = await sendSms(local, 10);
    const views = await settled(local, messages.map((m) => m.id), (v) => v.status === "sent" || v.status === "failed" || v.status === "dead_lettered", 120_000);
    const back = handedBack(stack);
    process.stdout.write(
      `time budget: 10 SMS at 700 ms each, ${back.length} batches handed back ${back.reduce((a, b) => a + b, 0)} records unstarted, all sent in ${Date.now() - started} ms\n`,
    );

    // Assess: batches handed records back, none was lost, none sent twice, none started twice
    expect(back.length).toBeGreaterThan(0);
    expect(views.map((v) => v.status)).toEqual(messages.map(() => "sent"));
    expect(messages.map((m) => twilio.creates.get(m.to))).toEqual(messages.map(() => 1));
    for (const v of views) {
      expect(v.attempts).toBe(1);
      expect(v.history.map((h) => h.status)).toEqual(["queued", "sending", "sent"]);
    }
  }, 180_000);

  it("marks dead_lettered what ran out of receives unstarted, leaves it in the dead-letter queue, and a redrive sends it", async () => {
    // Prepare: one receive each, so a record handed back once goes to the dead-letter queue
    const { twilio, stack, local } = await aStackWithSlowTwilio({ HERALD_MAX_RECEIVES: "1" });

    // Act
    const messages = await sendSms(local, 10);
    const views = await settled(local, messages.map((m) => m.id), (v) => v.status === "sent" || v.status === "dead_lettered", 60_000);

    // Assess: each message sent once, or dead_lettered never having reached Twilio
    const sent = messages.filter((_, i) => views[i]?.status === "sent");
    const dead = messages.filter((_, i) => views[i]?.status === "dead_lettered");
    process.stdout.write(`time budget, 1 receive: ${sent.length} sent, ${dead.length} handed back and dead-lettered unstarted\n`);
    expect(handedBack(stack).length).toBeGreaterThan(0);
    expect(sent.length).toBeGreaterThan(0);
    expect(dead.length).toBeGreaterThan(0);
    expect(sent.map((m) => twilio.creates.get(m.to))).toEqual(sent.map(() => 1));
    expect(dead.map((m) => twilio.creates.get(m.to))).toEqual(dead.map(() => undefined));
    for (const v of views.filter((v) => v.status === "dead_lettered")) {
      expect(v).toMatchObject({ attempts: 0, failure: { code: "queue.dead_lettered" } });
      expect(v.history.map((h) => h.status)).toEqual(["queued", "dead_lettered"]);
    }
    // the sweeper did not consume them: they wait in the sms dead-letter queue
    const state = JSON.parse(await readFile(join(stack.stateDir, "local.json"), "utf8")) as { smsDlqUrl: string };
    const sqs = new SQSClient(emulatorClientConfig(local.awsEndpoint));
    const inDlq = await waitFor("the sweeper to hand the dead letters back", async () => {
      const { Attributes = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: state.smsDlqUrl, AttributeNames: ["ApproximateNumberOfMessages"] }));
      return Number(Attributes.ApproximateNumberOfMessages) === dead.length ? dead.length : undefined;
    });
    expect(inDlq).toBe(dead.length);

    // Act: Twilio is fast again; redrive them as an operator would
    twilio.delayMs = 0;
    const env: Record<string, string | undefined> = { ...process.env, HERALD_STATE_DIR: stack.stateDir };
    delete env.AWS_ENDPOINT_URL;
    const { stdout } = await run(process.execPath, ["--import", "tsx", "services/local/src/dlq.ts", "redrive", "sms"], { cwd: REPO_ROOT, env });
    const after = await settled(local, dead.map((m) => m.id), (v) => v.status === "sent", 60_000);

    // Assess: every message sent exactly once in the end
    expect(stdout).toContain(`redriven ${dead.length} to sms`);
    expect(after.map((v) => v.status)).toEqual(dead.map(() => "sent"));
    expect(messages.map((m) => twilio.creates.get(m.to))).toEqual(messages.map(() => 1));
  }, 180_000);
});
