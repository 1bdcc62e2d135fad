import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect } from "vitest";
import { stopChild, type AwsProxy, type Emulator } from "@herald/testing";
import { REPO_ROOT } from "../../src/config";

/** Shared by the end-to-end files: the local stack as `npm start` runs it, and a small client. */
export const run = promisify(execFile);

export type Stack = { child: ChildProcess; output: () => string; stateDir: string; exited: Promise<number | null> };
export const stacks: Stack[] = [];
export const emulators: Emulator[] = [];
export const proxies: AwsProxy[] = [];

/** Starts the local stack exactly as `npm start` does (the same script), in its own state dir. */
export async function startStack(extraEnv: Record<string, string> = {}, stateDir?: string): Promise<Stack> {
  const dir = stateDir ?? (await mkdtemp(join(tmpdir(), "herald-e2e-")));
  // No per-principal throttle unless a test asks for one: these tests poll hundreds of statuses
  // with one key, which a real caller past its rate would see as 429s (identity.test.ts checks that).
  const env: Record<string, string | undefined> = { ...process.env, HERALD_STATE_DIR: dir, HERALD_PORT: "0", HERALD_RATE_LIMIT: "0", ...extraEnv };
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

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

export async function untilRunning(stack: Stack) {
  await waitFor("the stack to start", () => {
    if (stack.child.exitCode !== null) throw new Error(`the stack exited: ${stack.output()}`);
    return stack.output().includes("Ctrl-C stops everything") ? true : undefined;
  });
  return JSON.parse(await readFile(join(stack.stateDir, "local.json"), "utf8")) as {
    url: string;
    apiKey: string;
    awsEndpoint: string;
    tableName: string;
    auditHmacKey?: string;
  };
}

export async function keysCli(stack: Stack, args: string[]): Promise<string> {
  const env: Record<string, string | undefined> = { ...process.env, HERALD_STATE_DIR: stack.stateDir };
  delete env.AWS_ENDPOINT_URL;
  const { stdout } = await run(process.execPath, ["--import", "tsx", "services/local/src/keys.ts", ...args], { cwd: REPO_ROOT, env });
  return stdout;
}

export type Local = Awaited<ReturnType<typeof untilRunning>>;

export function api(local: Local, key = local.apiKey) {
  const headers = { "content-type": "application/json", "x-api-key": key };
  return {
    send: async (body: unknown) => {
      const response = await fetch(`${local.url}/v1/messages`, { method: "POST", headers, body: JSON.stringify(body) });
      expect(response.status).toBe(202);
      return ((await response.json()) as { id: string }).id;
    },
    get: async (id: string) => (await (await fetch(`${local.url}/v1/messages/${id}`, { headers })).json()) as Record<string, unknown>,
    decrypt: (id: string) => fetch(`${local.url}/v1/messages/${id}/decrypt`, { method: "POST", headers }),
    erase: (recipient: string) => fetch(`${local.url}/v1/recipients/erase`, { method: "POST", headers, body: JSON.stringify({ recipient }) }),
  };
}

export const until = (what: string, local: Local, id: string, status: string) =>
  waitFor(what, async () => ((await api(local).get(id)).status === status ? true : undefined), 20_000);


export async function cleanUp(): Promise<void> {
  await Promise.all(stacks.splice(0).map((s) => stopChild(s.child, 15_000)));
}

export async function stopEmulators(): Promise<void> {
  await Promise.all(proxies.splice(0).map((p) => p.stop()));
  await Promise.all(emulators.splice(0).map((e) => e.stop()));
}
