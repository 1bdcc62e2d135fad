import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { startAwsProxy, startMoto, stopChild, type AwsProxy, type Emulator, type MotoData } from "@herald/testing";
import { REPO_ROOT } from "../../src/config";

const run = promisify(execFile);

type Stack = { child: ChildProcess; output: () => string; stateDir: string; exited: Promise<number | null> };
const stacks: Stack[] = [];
const emulators: Emulator[] = [];
const proxies: AwsProxy[] = [];

/** Starts the local stack exactly as `npm start` does (the same script), in its own state dir. */
async function startStack(extraEnv: Record<string, string> = {}, stateDir?: string): Promise<Stack> {
  const dir = stateDir ?? (await mkdtemp(join(tmpdir(), "herald-e2e-")));
  const env: Record<string, string | undefined> = { ...process.env, HERALD_STATE_DIR: dir, HERALD_PORT: "0", ...extraEnv };
  if (!("AWS_ENDPOINT_URL" in extraEnv)) delete env.AWS_ENDPOINT_URL;
  const child = spawn(process.execPath, ["--import", "tsx", "services/local/src/start.ts"], {
    cwd: REPO_ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr?.on("data", (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const stack = { child, output: () => output, stateDir: dir, exited };
  stacks.push(stack);
  return stack;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

async function untilRunning(stack: Stack) {
  await waitFor("the stack to start", () => {
    if (stack.child.exitCode !== null) throw new Error(`the stack exited: ${stack.output()}`);
    return stack.output().includes("Ctrl-C stops everything") ? true : undefined;
  });
  return JSON.parse(await readFile(join(stack.stateDir, "local.json"), "utf8")) as {
    url: string;
    apiKey: string;
    awsEndpoint: string;
    tableName: string;
  };
}

async function keysCli(stack: Stack, args: string[]): Promise<string> {
  const env: Record<string, string | undefined> = { ...process.env, HERALD_STATE_DIR: stack.stateDir };
  delete env.AWS_ENDPOINT_URL;
  const { stdout } = await run(process.execPath, ["--import", "tsx", "services/local/src/keys.ts", ...args], { cwd: REPO_ROOT, env });
  return stdout;
}

afterEach(async () => {
  await Promise.all(stacks.splice(0).map((s) => stopChild(s.child, 15_000)));
});

afterAll(async () => {
  await Promise.all(proxies.map((p) => p.stop()));
  await Promise.all(emulators.map((e) => e.stop()));
});

type Local = Awaited<ReturnType<typeof untilRunning>>;

function api(local: Local, key = local.apiKey) {
  const headers = { "content-type": "application/json", "x-api-key": key };
  return {
    send: async (body: unknown) => {
      const response = await fetch(`${local.url}/v1/messages`, { method: "POST", headers, body: JSON.stringify(body) });
      expect(response.status).toBe(202);
      return ((await response.json()) as { id: string }).id;
    },
    get: async (id: string) => (await (await fetch(`${local.url}/v1/messages/${id}`, { headers })).json()) as Record<string, unknown>,
    decrypt: (id: string) => fetch(`${local.url}/v1/messages/${id}/decrypt`, { method: "POST", headers }),
    erase: (recipient: string) => fetch(`${local.url}/v1/recipients/${encodeURIComponent(recipient)}`, { method: "DELETE", headers }),
  };
}

const until = (what: string, local: Local, id: string, status: string) =>
  waitFor(what, async () => ((await api(local).get(id)).status === status ? true : undefined), 20_000);

describe("npm start (the local stack)", () => {
  it("sends the email its printed curl posts, shows it sent, and stops cleanly on SIGTERM", async () => {
    // Prepare
    const stack = await startStack();
    const local = await untilRunning(stack);
    const curl = stack.output().split("\n").find((line) => line.trim().startsWith("curl -sS -X POST"));
    expect(curl).toBeDefined();

    // Act: run the printed command as a user would
    const { stdout } = await run("sh", ["-c", curl ?? "false"]);
    const accepted = JSON.parse(stdout) as { id: string; status: string };
    const message = await waitFor("the message to be sent", async () => {
      const response = await fetch(`${local.url}/v1/messages/${accepted.id}`, { headers: { "x-api-key": local.apiKey } });
      const body = (await response.json()) as { status: string; provider_message_id?: string };
      return body.status === "sent" ? body : undefined;
    }, 20_000);

    // Assess
    expect(accepted.status).toBe("queued");
    const data = (await (await fetch(`${local.awsEndpoint}/moto-api/data.json`)).json()) as MotoData;
    const sent = (data.ses?.Message ?? []).filter((m) => m.id === message.provider_message_id);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.destinations.ToAddresses).toEqual(["you@example.com"]);
    expect(sent[0]?.subject).toBe("Hello from Herald");
    expect(sent[0]?.source).toBe("noreply@herald.local");

    // Act: SIGTERM stops every process
    stack.child.kill("SIGTERM");
    expect(await stack.exited).toBe(0);
    expect(stack.output()).toContain("herald: stopped");
    await expect(fetch(`${local.awsEndpoint}/moto-api/data.json`)).rejects.toThrow();
    await expect(fetch(`${local.url}/health`)).rejects.toThrow();
  });

  it("creates, uses and revokes API keys with npm run keys", async () => {
    // Prepare
    const stack = await startStack();
    const local = await untilRunning(stack);
    const post = (key: string) =>
      fetch(`${local.url}/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": key },
        body: JSON.stringify({ channel: "email", to: "ops@example.com", subject: "key test", text: "t" }),
      });

    // Act
    const created = await keysCli(stack, ["create", "--tenant", "t2", "--roles", "messages:send"]);
    const key = created.trim().split("\n").at(-1) ?? "";
    const keyId = /^hk_([0-9a-f]{12})_/.exec(key)?.[1] ?? "";
    const listed = await keysCli(stack, ["list", "--tenant", "t2"]);

    // Assess
    expect(key).toMatch(/^hk_[0-9a-f]{12}_/);
    expect(listed).toContain(keyId);
    expect(listed).not.toContain(key);
    const sent = await post(key);
    expect(sent.status).toBe(202);
    const { id } = (await sent.json()) as { id: string };
    expect((await fetch(`${local.url}/v1/messages/${id}`, { headers: { "x-api-key": key } })).status).toBe(403);

    await keysCli(stack, ["revoke", keyId]);
    expect((await post(key)).status).toBe(401);
    expect((await post(local.apiKey)).status).toBe(202);
  });

  it("uses the emulator AWS_ENDPOINT_URL names, starts none, and provisions idempotently", async () => {
    // Prepare
    const moto = await startMoto();
    emulators.push(moto);
    const env = { AWS_ENDPOINT_URL: moto.endpoint };

    // Act: two starts in a row against the same emulator and state dir
    const first = await startStack(env);
    const firstLocal = await untilRunning(first);
    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    const second = await startStack(env, first.stateDir);
    const secondLocal = await untilRunning(second);

    // Assess
    expect(firstLocal.awsEndpoint).toBe(moto.endpoint);
    expect(second.output()).toContain("(AWS_ENDPOINT_URL)");
    expect(secondLocal.apiKey).toBe(firstLocal.apiKey);
    const data = (await moto.data()) as MotoData & { ses?: { EmailIdentity?: unknown[] } };
    expect(data.ses?.EmailIdentity).toHaveLength(1);
    expect((await fetch(`${secondLocal.url}/health`)).status).toBe(200);
  });

  it("delivers an SMS through SNS and a store_secure email through SES, keeps no plaintext, decrypts and erases", async () => {
    // Prepare
    const stack = await startStack();
    const local = await untilRunning(stack);
    const client = api(local);
    const secret = "Your recovery code is 4711-0815";

    // Act: an SMS and a store_secure email
    const smsId = await client.send({ channel: "sms", to: "+44 7911 123456", text: "Hello from Herald" });
    const emailId = await client.send({ channel: "email", to: "vault@example.com", subject: "Recovery code", text: secret, store_secure: true });
    await until("the SMS to be sent", local, smsId, "sent");
    await until("the secure email to be sent", local, emailId, "sent");
    const decrypted = await waitFor("the content to be sealed", async () => {
      const response = await client.decrypt(emailId);
      return response.status === 200 ? ((await response.json()) as Record<string, unknown>) : undefined;
    });

    // Assess: the SMS reached SNS, the email SES
    const data = (await (await fetch(`${local.awsEndpoint}/moto-api/data.json`)).json()) as MotoData;
    const sms = await client.get(smsId);
    expect(data.sns?.SMS?.find((m) => m.message_id === sms.provider_message_id)).toMatchObject({ phone_number: "+447911123456", message: "Hello from Herald" });
    const email = await client.get(emailId);
    expect(data.ses?.Message?.find((m) => m.id === email.provider_message_id)).toMatchObject({ subject: "Recovery code", body: secret });
    // the raw DynamoDB item holds no plaintext, and GET shows none
    const raw = await new DynamoDBClient({ endpoint: local.awsEndpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } }).send(
      new GetItemCommand({ TableName: local.tableName, Key: { pk: { S: `MSG#${emailId}` }, sk: { S: "MSG" } } }),
    );
    expect(JSON.stringify(raw.Item)).not.toContain("4711");
    expect(JSON.stringify(raw.Item)).not.toContain("Recovery code");
    expect(JSON.stringify(raw.Item)).toContain("AES-256-GCM");
    expect(email).not.toHaveProperty("text");
    expect(decrypted).toMatchObject({ id: emailId, channel: "email", subject: "Recovery code", text: secret });

    // a key without messages:decrypt gets 403
    const created = await keysCli(stack, ["create", "--tenant", "local", "--roles", "messages:send,messages:read-all"]);
    const noDecrypt = created.trim().split("\n").at(-1) ?? "";
    expect((await api(local, noDecrypt).decrypt(emailId)).status).toBe(403);

    // erase removes the content: GET says erased, decrypt 410, the raw item holds no ciphertext
    const erased = await client.erase("vault@example.com");
    expect(erased.status).toBe(200);
    expect(await erased.json()).toMatchObject({ erased: 1 });
    expect(await client.get(emailId)).toMatchObject({ erased: true });
    expect((await client.decrypt(emailId)).status).toBe(410);

    // no service ever logged the content, a full address or number, or a key
    const serviceLines = stack.output().split("\n").filter((line) => /^\[(ingest|email|sms|secure-store)\] /.test(line));
    expect(serviceLines.length).toBeGreaterThan(10);
    for (const needle of ["4711-0815", "Recovery code", "vault@example.com", "Hello from Herald", "+447911123456", local.apiKey, noDecrypt]) {
      expect(serviceLines.filter((line) => line.includes(needle)), needle).toEqual([]);
    }
  });

  it("seals 100 store_secure messages with at most 5 KMS calls", async () => {
    // Prepare: every AWS call of the stack goes through a counting proxy
    const moto = await startMoto();
    emulators.push(moto);
    const proxy = await startAwsProxy({ target: moto.endpoint });
    proxies.push(proxy);
    const stack = await startStack({ AWS_ENDPOINT_URL: proxy.endpoint });
    const local = await untilRunning(stack);
    const client = api(local);
    proxy.counts.clear();

    // Act
    const ids: string[] = [];
    for (let i = 0; i < 100; i++) ids.push(await client.send({ channel: "sms", to: "+14155552671", text: `code ${i}`, store_secure: true }));
    for (const id of ids) {
      await waitFor("sealed", async () => ((await client.decrypt(id)).status === 200 ? true : undefined), 30_000);
    }

    // Assess
    const kms = [...proxy.counts].filter(([op]) => op.startsWith("KMS.")).reduce((n, [, c]) => n + c, 0);
    process.stdout.write(`KMS calls for 100 store_secure messages (seal + decrypt): ${kms} ${JSON.stringify(Object.fromEntries([...proxy.counts].filter(([op]) => op.startsWith("KMS."))))}\n`);
    expect(kms).toBeLessThanOrEqual(5);
  });

  it("says in one line how to install moto_server when it is missing", async () => {
    // Prepare: a PATH with node but without moto_server
    const stack = await startStack({ PATH: dirname(process.execPath) });

    // Act
    const code = await stack.exited;

    // Assess
    expect(code).toBe(1);
    expect(stack.output().trim()).toBe('herald: moto_server not found: install it with pip install "moto[server]"');
  });
});
