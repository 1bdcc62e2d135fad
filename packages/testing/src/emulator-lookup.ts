import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync, readSync, realpathSync } from "node:fs";
import { basename, delimiter, dirname, isAbsolute, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { EmulatorMissingError, ensureVenvMoto, isExecutable, MOTO_MINIMUM, MOTO_VERSION } from "./emulator-install";

export type MotoServer = {
  /** The moto_server to run: an absolute path (or what HERALD_MOTO_SERVER names). */
  command: string;
  /** moto's version, when it could be told. */
  version: string | undefined;
  /** Where it came from, as the progress line says it: "PATH", "HERALD_MOTO_SERVER" or the venv (".herald/venv"). */
  from: string;
};

export type FindMotoOptions = {
  /** Where to look: PATH, HERALD_MOTO_SERVER, HERALD_VENV_DIR (default: process.env). */
  env?: Record<string, string | undefined>;
  /** Progress and notes, one line each (default: stderr, prefixed "herald: "). */
  say?: (line: string) => void;
  /** Stops a first-run install: pip is killed and the half-built venv removed. */
  signal?: AbortSignal;
};

/**
 * Finds the AWS emulator: HERALD_MOTO_SERVER if set; else moto_server on the PATH if it is moto
 * >= 5.0 (or of a version it cannot tell); else Herald's own `.herald/venv`, created on first use
 * with `python3 -m venv` and pip. What cannot work is an EmulatorMissingError with one line.
 */
export async function findMoto(options: FindMotoOptions = {}): Promise<MotoServer> {
  const env = options.env ?? process.env;
  const say = options.say ?? ((line: string) => process.stderr.write(`herald: ${line}\n`));
  const venvDir = env.HERALD_VENV_DIR ? resolve(env.HERALD_VENV_DIR) : join(repoRoot(), ".herald", "venv");

  const override = env.HERALD_MOTO_SERVER;
  if (override) {
    const command = override.includes("/") ? resolve(override) : which(override, env.PATH);
    if (!command || !isExecutable(command)) throw new EmulatorMissingError(`HERALD_MOTO_SERVER=${override} is not an executable file`);
    const version = await motoVersion(command, env);
    if (version !== undefined && !newEnough(version)) {
      throw new EmulatorMissingError(`HERALD_MOTO_SERVER=${override} is moto ${version}; Herald needs moto >= ${MOTO_MINIMUM} (tested with ${MOTO_VERSION})`);
    }
    if (version === undefined) say(unknownVersion(command));
    return { command, version, from: "HERALD_MOTO_SERVER" };
  }

  const onPath = which("moto_server", env.PATH);
  if (onPath) {
    const version = await motoVersion(onPath, env);
    if (version === undefined) say(unknownVersion(onPath));
    if (version === undefined || newEnough(version)) return { command: onPath, version, from: "PATH" };
    say(`${onPath} is moto ${version}; Herald needs moto >= ${MOTO_MINIMUM}, so it uses its own in ${shown(venvDir)}`);
  }

  const command = await ensureVenvMoto({ venvDir, shownAs: shown(venvDir), env, say, signal: options.signal });
  return { command, version: MOTO_VERSION, from: shown(venvDir) };
}

/** The version rule: major.minor at least MOTO_MINIMUM's (pre-release suffixes ignored). */
export function newEnough(version: string, minimum = MOTO_MINIMUM): boolean {
  const [major = 0, minor = 0] = version.split(".").map((part) => Number.parseInt(part, 10) || 0);
  const [wantMajor = 0, wantMinor = 0] = minimum.split(".").map(Number);
  return major > wantMajor || (major === wantMajor && minor >= wantMinor);
}

const unknownVersion = (command: string) =>
  `could not tell which moto ${command} is (Herald needs >= ${MOTO_MINIMUM}, tested with ${MOTO_VERSION}); using it`;

/**
 * moto_server has no --version: ask the Python that runs it for moto's installed version. That is
 * the script's shebang interpreter when it names a python (pip, pipx and venv scripts do, pipx's
 * through a symlink, hence realpath); else a python beside it (a pyenv shim is a bash script, and
 * the python3 shim in the same shims dir selects the same pyenv version); else python3 on the
 * PATH, which is what a hand-written wrapper most likely runs.
 */
async function motoVersion(command: string, env: Record<string, string | undefined>): Promise<string | undefined> {
  const python = shebangPython(command) ?? siblingPython(command) ?? "python3";
  const answer = await new Promise<string | undefined>((done) => {
    const child = spawn(python, ["-c", "import importlib.metadata as m; print(m.version('moto'))"], {
      env,
      stdio: ["ignore", "pipe", "ignore"],
      timeout: 20_000,
    });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.once("error", () => done(undefined));
    child.once("close", (code) => done(code === 0 ? out.trim() : undefined));
  });
  return answer && /^\d+\.\d+/.test(answer) ? answer : undefined;
}

function shebangPython(command: string): string | undefined {
  let head = "";
  try {
    const fd = openSync(realpathSync(command), "r");
    const buffer = Buffer.alloc(512);
    head = buffer.subarray(0, readSync(fd, buffer, 0, 512, 0)).toString("utf8");
    closeSync(fd);
  } catch {
    return undefined;
  }
  if (!head.startsWith("#!")) return undefined;
  const words = (head.slice(2).split("\n")[0] ?? "").trim().split(/\s+/);
  // "#!/usr/bin/env [-S] [NAME=value] python3"
  const interpreter = basename(words[0] ?? "") === "env" ? words.slice(1).find((w) => !w.startsWith("-") && !w.includes("=")) : words[0];
  return interpreter && /^python[0-9.]*$/.test(basename(interpreter)) ? interpreter : undefined;
}

function siblingPython(command: string): string | undefined {
  const dirs = [dirname(realpathSync(command)), dirname(command)];
  return dirs.flatMap((dir) => ["python3", "python"].map((name) => join(dir, name))).find(isExecutable);
}

/** The first executable `name` on `path`, as the shell would find it. */
export function which(name: string, path: string | undefined): string | undefined {
  for (const dir of (path ?? "").split(delimiter)) {
    if (!dir) continue;
    const candidate = resolve(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

let root: string | undefined;

/** The monorepo's root: the nearest directory above this package whose package.json has workspaces. */
export function repoRoot(): string {
  if (root) return root;
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && "workspaces" in (JSON.parse(readFileSync(manifest, "utf8")) as object)) return (root = dir);
    if (dirname(dir) === dir) throw new Error("herald: cannot find the repository root (a package.json with workspaces)");
  }
}

/** A path as a progress line shows it: relative inside the repository, absolute elsewhere. */
function shown(path: string): string {
  const inside = relative(repoRoot(), path);
  return inside && !inside.startsWith("..") && !isAbsolute(inside) ? inside : path;
}
