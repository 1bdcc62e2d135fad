import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { findMoto, makePythonStandIn, MOTO_VERSION } from "@herald/testing";
import { cleanUp, run, startStack, stopEmulators, untilRunning, waitFor, type Stack } from "./stack";

afterEach(cleanUp);
afterAll(stopEmulators);

/** npm start on a machine whose PATH has no moto_server: only the given directory (node is spawned by path). */
function freshMachine(bin: string) {
  const venvDir = join(mkdtempSync(join(tmpdir(), "herald-first-run-")), "venv");
  return { venvDir, env: { PATH: bin, HERALD_VENV_DIR: venvDir, HERALD_MOTO_SERVER: "" } };
}

const step = (name: string, detail: string) => new RegExp(`^  ${name.padEnd(9)} ${detail} +\\d+\\.\\d s$`, "m");

/** Every process below pid (children, their children...), from ps. */
function descendants(pid: number): number[] {
  const table = spawnSync("ps", ["-A", "-o", "pid=,ppid="]).stdout.toString().trim().split("\n");
  const pairs = table.map((row) => row.trim().split(/\s+/).map(Number));
  const found: number[] = [];
  for (let queue = [pid]; queue.length > 0; ) {
    const parent = queue.shift();
    const children = pairs.filter(([, ppid]) => ppid === parent).map(([child]) => child ?? 0);
    found.push(...children);
    queue = [...queue, ...children];
  }
  return found;
}

/** Still running: in the process table and not a zombie waiting to be reaped. */
function running(pid: number): boolean {
  const state = spawnSync("ps", ["-o", "stat=", "-p", String(pid)]).stdout.toString().trim();
  return state !== "" && !state.startsWith("Z");
}

async function interrupt(stack: Stack) {
  const below = descendants(stack.child.pid ?? 0);
  stack.child.kill("SIGINT");
  const code = await stack.exited;
  return { code, below };
}

describe("npm start on a first run (no moto_server on the PATH)", () => {
  it("installs the emulator into the venv once, prints a line per step, sends the printed curl's email, and says nothing of it the second time", async () => {
    // Prepare
    const python = await makePythonStandIn();
    const { venvDir, env } = freshMachine(python.bin);

    // Act: a first start, the printed curl, a stop, a second start
    const first = await startStack(env);
    const local = await untilRunning(first);
    const curl = first.output().split("\n").find((line) => line.trim().startsWith("curl -sS -X POST")) ?? "false";
    const { id } = JSON.parse((await run("sh", ["-c", curl])).stdout) as { id: string };
    const sent = await waitFor("the email to be sent", async () => {
      const response = await fetch(`${local.url}/v1/messages/${id}`, { headers: { "x-api-key": local.apiKey } });
      return ((await response.json()) as { status: string }).status === "sent" ? true : undefined;
    }, 20_000);
    first.child.kill("SIGTERM");
    const firstCode = await first.exited;
    const second = await startStack(env, first.stateDir);
    await untilRunning(second);

    // Assess: the first run said it installs, once, and one line per step with its time
    const out = first.output();
    expect(out.split("\n").filter((l) => l.includes("installing the AWS emulator"))).toEqual([
      `  installing the AWS emulator (moto ${MOTO_VERSION}) into ${venvDir}, once`,
    ]);
    expect(out).toMatch(step("emulator", `moto_server ${MOTO_VERSION.replaceAll(".", "\\.")} \\(${venvDir}\\) on :\\d+`));
    expect(out).toMatch(step("table", "herald-messages"));
    expect(out).toMatch(step("queues", "email, sms, secure-store, events, webhooks \\(\\+ DLQs\\)"));
    expect(out).toMatch(step("key", "alias/herald-secure"));
    expect(out).toMatch(step("senders", "noreply@herald\\.local \\(verified\\)"));
    expect(out).toMatch(step("API key", "key id [0-9a-f]{12}, created"));
    expect(out).toMatch(step("services", "ingest, email, sms, secure-store, events, dead-letters, webhook-fanout, webhooks"));
    expect(out.indexOf("  services  ")).toBeLessThan(out.indexOf("Herald is running at"));
    expect(sent).toBe(true);
    expect(python.pipCalls()).toEqual([`install --disable-pip-version-check --quiet moto[server]==${MOTO_VERSION}`]);
    expect(firstCode).toBe(0);
    // the second reused it without a word
    expect(second.output()).not.toContain("installing");
    expect(second.output()).toMatch(step("emulator", `moto_server [0-9.]+ \\(${venvDir}\\) on :\\d+`));
    expect(python.pipCalls()).toHaveLength(1);
  });

  it("stops cleanly on Ctrl-C during the install: pip stopped, no venv or lock left, nothing running, exit 0", async () => {
    // Prepare: a pip that never finishes
    const python = await makePythonStandIn();
    python.pip("hang");
    const { venvDir, env } = freshMachine(python.bin);
    const stack = await startStack(env);
    await waitFor("pip to start", () => python.pipPid());

    // Act
    const { code, below } = await interrupt(stack);

    // Assess
    expect(code).toBe(0);
    expect(stack.output()).toContain("installing the AWS emulator");
    expect(stack.output()).toContain("herald: stopping (SIGINT)");
    expect(stack.output()).toContain("herald: stopped");
    expect(stack.output()).not.toContain("Herald is running");
    expect(below).toContain(python.pipPid());
    expect(below.filter(running)).toEqual([]);
    expect(existsSync(venvDir)).toBe(false);
    expect(existsSync(`${venvDir}.lock`)).toBe(false);
  });

  it("says in one line that Python 3 is needed when there is none", async () => {
    // Prepare: a PATH with neither moto_server nor python3
    const { venvDir, env } = freshMachine(mkdtempSync(join(tmpdir(), "no-python-")));

    // Act
    const stack = await startStack(env);
    const code = await stack.exited;

    // Assess
    expect(code).toBe(1);
    expect(stack.output().trim()).toBe(
      "herald: Python 3 is needed for the AWS emulator (moto): apt install python3 python3-venv (Debian/Ubuntu) or brew install python (macOS)",
    );
    expect(existsSync(venvDir)).toBe(false);
  });

  it("says in one line that python3 has no venv module", async () => {
    // Prepare
    const python = await makePythonStandIn();
    python.withoutVenv();
    const { env } = freshMachine(python.bin);

    // Act
    const stack = await startStack(env);
    const code = await stack.exited;

    // Assess
    expect(code).toBe(1);
    expect(stack.output().trim()).toMatch(/^herald: python3 has no venv module: apt install python3-venv \(Debian\/Ubuntu[^\n]*\)$/);
    expect(python.pipCalls()).toEqual([]);
  });
});

describe("npm start stopped while it provisions", () => {
  /** HERALD_MOTO_SERVER: this machine's emulator, through a wrapper that records its pid (exec keeps it). */
  async function recordedMoto() {
    const dir = mkdtempSync(join(tmpdir(), "herald-moto-"));
    const real = (await findMoto({ say: () => undefined })).command;
    writeFileSync(join(dir, "moto_server"), `#!/bin/sh\necho $$ > '${dir}/pid'\nexec '${real}' "$@"\n`, { mode: 0o755 });
    const pid = () => (existsSync(join(dir, "pid")) ? Number(readFileSync(join(dir, "pid"), "utf8")) || undefined : undefined);
    return { command: join(dir, "moto_server"), pid };
  }

  it("stops the emulator it is still waiting for on Ctrl-C, and exits 0", async () => {
    // Prepare: Ctrl-C as soon as moto_server is spawned, before it answers
    const moto = await recordedMoto();
    const stack = await startStack({ HERALD_MOTO_SERVER: moto.command });
    const pid = await waitFor("moto_server to be spawned", () => moto.pid(), 20_000);

    // Act
    const { code, below } = await interrupt(stack);

    // Assess
    expect(code).toBe(0);
    expect(stack.output()).not.toMatch(/^ {2}emulator /m);
    expect(stack.output()).toContain("herald: stopped");
    expect(below).toContain(pid);
    expect(below.filter(running)).toEqual([]);
  });

  it("stops the emulator on Ctrl-C after it is up and before the services are, and exits 0", async () => {
    // Prepare: Ctrl-C at the emulator's progress line, while the table, queues and key are made
    const moto = await recordedMoto();
    const stack = await startStack({ HERALD_MOTO_SERVER: moto.command });
    await waitFor("the emulator's progress line", () => (/^ {2}emulator .* on :(\d+)/m.test(stack.output()) ? true : undefined), 30_000);
    const port = /^ {2}emulator .* on :(\d+)/m.exec(stack.output())?.[1];

    // Act
    const { code, below } = await interrupt(stack);

    // Assess
    expect(code).toBe(0);
    expect(stack.output()).toContain(`(HERALD_MOTO_SERVER) on :${port}`);
    expect(stack.output()).not.toContain("Herald is running");
    expect(below).toContain(moto.pid());
    expect(below.filter(running)).toEqual([]);
    await expect(fetch(`http://127.0.0.1:${port}/moto-api/data.json`)).rejects.toThrow();
  });
});
