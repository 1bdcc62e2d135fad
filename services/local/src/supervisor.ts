import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { stopChild } from "@herald/testing";
import { REPO_ROOT } from "./config";

export type Service = { name: string; entry: string };

export type Running = {
  name: string;
  child: ChildProcess;
  /** Settles when the service says it is up (announceReady); rejects if it exits first. */
  ready: Promise<void>;
};

/**
 * Runs a service's local entry point as its own Node process (TypeScript through tsx, as in
 * development), with its output prefixed by its name.
 */
export function runService(service: Service, env: Record<string, string | undefined>): Running {
  const child = spawn(process.execPath, ["--import", "tsx", service.entry], {
    cwd: REPO_ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.on("message", (message: { type?: unknown }) => {
      if (message?.type === "herald.ready") resolve();
    });
    child.once("exit", (code, signal) => reject(new Error(`${service.name} exited (${signal ?? code}) before it was ready`)));
  });
  ready.catch(() => undefined);
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on("line", (line) => process.stdout.write(`[${service.name}] ${line}\n`));
  }
  return { name: service.name, child, ready };
}

export async function stopAll(running: readonly Running[], graceMs = 10_000): Promise<void> {
  await Promise.all(running.map((r) => stopChild(r.child, graceMs)));
}
