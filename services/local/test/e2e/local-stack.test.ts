import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { startMoto, stopChild, type Emulator, type MotoData } from "@herald/testing";
import { REPO_ROOT } from "../../src/config";

const run = promisify(execFile);

type Stack = { child: ChildProcess; output: () => string; stateDir: string; exited: Promise<number | null> };
const stacks: Stack[] = [];
const emulators: Emulator[] = [];

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
  await Promise.all(emulators.map((e) => e.stop()));
});

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
