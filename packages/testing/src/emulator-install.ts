import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { accessSync, constants, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { dirname, join } from "node:path";

/**
 * The moto Herald is tested with, and the one its own venv gets. Any moto 5 serves what Herald
 * uses (SES v2, Secrets Manager, DynamoDB, SQS, KMS, SNS) the way the code and tests expect; moto
 * 4's SES v2 and SNS stores differ, so an older moto_server on the PATH is passed over.
 */
export const MOTO_VERSION = "5.2.1";
export const MOTO_MINIMUM = "5.0";

export class EmulatorMissingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EmulatorMissingError";
  }
}

const NO_PYTHON =
  "Python 3 is needed for the AWS emulator (moto): apt install python3 python3-venv (Debian/Ubuntu) or brew install python (macOS)";
const NO_VENV = "python3 has no venv module: apt install python3-venv (Debian/Ubuntu; macOS's Homebrew and python.org Pythons have it)";
/** Written last: a venv without it (a crash, Ctrl-C or failed pip mid-build) is never used, only rebuilt. */
const MARKER = "herald-moto.json";
/** A lock whose owner is alive is still given up after this long (its pid may have been reused). */
const LOCK_MAX_AGE_MS = 30 * 60_000;

export type VenvOptions = {
  venvDir: string;
  /** The venv's path as progress lines show it. */
  shownAs: string;
  env: Record<string, string | undefined>;
  say: (line: string) => void;
  signal?: AbortSignal;
};

/**
 * moto_server from Herald's own venv, built on first use with `python3 -m venv` and a pinned pip
 * install. Several processes may ask at once (test files start emulators in parallel): one builds
 * under a lock (a mkdir'd `<venv>.lock` naming its pid), the others wait for its marker. A second
 * run finds the marker and says nothing.
 */
export async function ensureVenvMoto(options: VenvOptions): Promise<string> {
  const { venvDir, shownAs, say, signal } = options;
  const moto = join(venvDir, "bin", "moto_server");
  if (isReady(venvDir)) return moto;
  mkdirSync(dirname(venvDir), { recursive: true });
  const lock = `${venvDir}.lock`;
  let waitingSaid = false;
  while (!takeLock(lock)) {
    if (isReady(venvDir)) return moto;
    if (breakStaleLock(lock)) continue;
    if (!waitingSaid) say(`waiting for another run that is installing the AWS emulator into ${shownAs}`);
    waitingSaid = true;
    await sleep(250, signal);
  }
  try {
    if (!isReady(venvDir)) await build(options, moto);
    return moto;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

async function build({ venvDir, shownAs, env, say, signal }: VenvOptions, moto: string): Promise<void> {
  // Checked first, so what is missing is one line rather than a traceback from venv or pip.
  const probe = await run(
    "python3",
    ["-c", "import sys; print('%d.%d' % sys.version_info[:2]); sys.version_info >= (3, 9) or sys.exit(3); import venv, ensurepip"],
    env,
    signal,
  );
  if (probe.missing) throw new EmulatorMissingError(NO_PYTHON);
  if (probe.code === 3) throw new EmulatorMissingError(`python3 is Python ${lastLine(probe.output)}; moto ${MOTO_VERSION} needs 3.9 or newer`);
  if (probe.code !== 0) throw new EmulatorMissingError(NO_VENV);

  say(`installing the AWS emulator (moto ${MOTO_VERSION}) into ${shownAs}, once`);
  rmSync(venvDir, { recursive: true, force: true });
  try {
    const created = await run("python3", ["-m", "venv", venvDir], env, signal);
    if (created.code !== 0) throw new EmulatorMissingError(`python3 -m venv ${shownAs} failed: ${lastLine(created.output)}`);
    const requirement = `moto[server]==${MOTO_VERSION}`;
    const pip = await run(join(venvDir, "bin", "python"), ["-m", "pip", "install", "--disable-pip-version-check", "--quiet", requirement], env, signal);
    if (pip.code !== 0) {
      throw new EmulatorMissingError(
        `pip could not install ${requirement} into ${shownAs} (${lastLine(pip.output)}); offline? ` +
          `pip install "${requirement}" where an index is reachable (any moto >= ${MOTO_MINIMUM} on the PATH is used) or set HERALD_MOTO_SERVER`,
      );
    }
    if (!isExecutable(moto)) throw new EmulatorMissingError(`pip installed ${requirement} into ${shownAs} but no bin/moto_server`);
    writeFileSync(join(venvDir, MARKER), `${JSON.stringify({ moto: MOTO_VERSION, installed: new Date().toISOString() })}\n`);
  } catch (error) {
    rmSync(venvDir, { recursive: true, force: true });
    throw error;
  }
}

function isReady(venvDir: string): boolean {
  try {
    const marker = JSON.parse(readFileSync(join(venvDir, MARKER), "utf8")) as { moto?: unknown };
    // Another pin (Herald moved on) rebuilds it.
    return marker.moto === MOTO_VERSION && isExecutable(join(venvDir, "bin", "moto_server"));
  } catch {
    return false;
  }
}

type Owner = { pid: number; host: string; at: number };

function takeLock(lock: string): boolean {
  try {
    mkdirSync(lock);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
  const owner: Owner = { pid: process.pid, host: hostname(), at: Date.now() };
  writeFileSync(join(lock, "owner.json"), JSON.stringify(owner));
  return true;
}

/** Removes a lock its owner left behind (killed, machine rebooted); true if there is none now. */
function breakStaleLock(lock: string): boolean {
  let owner: Owner | undefined;
  try {
    owner = JSON.parse(readFileSync(join(lock, "owner.json"), "utf8")) as Owner;
  } catch {
    // no owner yet: its holder is between mkdir and write, unless it died there
  }
  let age: number;
  try {
    age = Date.now() - (owner?.at ?? statSync(lock).mtimeMs);
  } catch {
    return true; // gone meanwhile
  }
  const stale = owner ? age > LOCK_MAX_AGE_MS || (owner.host === hostname() && !alive(owner.pid)) : age > 10_000;
  if (!stale) return false;
  // Renamed away first, so of two processes that both judged it stale only one removes it.
  const tomb = `${lock}.stale-${randomUUID()}`;
  try {
    renameSync(lock, tomb);
  } catch {
    return true;
  }
  rmSync(tomb, { recursive: true, force: true });
  return true;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

type Ran = { code: number | null; missing: boolean; output: string };

/** Runs a command to its end, keeping the tail of its output; an abort kills it and rejects once it has exited. */
function run(command: string, args: string[], env: Record<string, string | undefined>, signal?: AbortSignal): Promise<Ran> {
  signal?.throwIfAborted();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-8000));
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    let killer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      child.kill("SIGTERM");
      killer = setTimeout(() => child.kill("SIGKILL"), 5000);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    const settle = (ran: Ran) => {
      signal?.removeEventListener("abort", onAbort);
      clearTimeout(killer);
      if (signal?.aborted) reject(signal.reason);
      else resolve(ran);
    };
    child.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") settle({ code: null, missing: true, output });
      else reject(error);
    });
    child.once("close", (code) => settle({ code, missing: false, output }));
  });
}

/** pip's own verdict ("ERROR: No matching distribution found for ...") if it gave one, else its last line. */
function lastLine(output: string): string {
  const lines = output.split("\n").map((l) => l.trim()).filter(Boolean);
  return lines.findLast((l) => l.startsWith("ERROR:")) ?? lines.at(-1) ?? "no output";
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

export function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
