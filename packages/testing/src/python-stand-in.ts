import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findMoto, which } from "./emulator-lookup";

export type PythonStandIn = {
  /** A directory holding only the stand-in `python3`: a PATH with no moto_server on it. */
  bin: string;
  /** Each pip call's arguments after `-m pip`, one string per call. */
  pipCalls(): string[];
  /** The pid of the last pip stand-in, once it has started. */
  pipPid(): number | undefined;
  /** How pip behaves from now on: lays the shim at once, after a delay, never (hangs), or fails as offline pip does. */
  pip(mode: "ok" | { delaySeconds: number } | "hang" | "fail"): void;
  /** Makes python3 look like Debian's without python3-venv (no ensurepip). */
  withoutVenv(): void;
};

/**
 * A python3 for the first-run tests on machines that reach no Python package index: `-m venv`
 * makes a real venv (the machine's python3, --without-pip, offline) whose bin/python is a stand-in
 * that, asked for `-m pip ...`, records its arguments and lays a bin/moto_server that execs this
 * machine's own emulator, so what gets "installed" really answers. Anything else goes to the real
 * python3.
 */
export async function makePythonStandIn(): Promise<PythonStandIn> {
  const dir = mkdtempSync(join(tmpdir(), "herald-python-"));
  const bin = join(dir, "bin");
  mkdirSync(bin);
  const realPath = process.env.PATH ?? "";
  const realPython = which("python3", realPath);
  if (!realPython) throw new Error("the Python stand-in needs a real python3 on the PATH (for python3 -m venv)");
  const realMoto = (await findMoto({ say: () => undefined })).command;
  const file = (name: string) => join(dir, name);
  const script = (path: string, body: string) => {
    writeFileSync(path, `#!/bin/sh\n# Herald test stand-in\nexport PATH='${realPath}'\n${body}\n`);
    chmodSync(path, 0o755);
  };

  script(file("moto-shim"), `exec '${realMoto}' "$@"`);
  script(
    file("venv-python"),
    `here=$(cd "$(dirname "$0")" && pwd)
if [ "$1" = -m ] && [ "$2" = pip ]; then
  shift 2
  echo "$*" >> '${file("pip-args")}'
  echo $$ > '${file("pip-pid")}'
  mode=$(cat '${file("pip-mode")}' 2>/dev/null)
  case "$mode" in
    hang) exec sleep 600 ;;
    fail) echo 'ERROR: Could not find a version that satisfies the requirement moto[server]==5.2.1 (from versions: none)' >&2
          echo 'ERROR: No matching distribution found for moto[server]==5.2.1' >&2
          exit 1 ;;
    [0-9]*) sleep "$mode" ;;
  esac
  cp '${file("moto-shim")}' "$here/moto_server"
  exit 0
fi
exec "$here/python3" "$@"`,
  );
  script(
    join(bin, "python3"),
    `if [ "$1" = -c ] && [ -f '${file("no-venv")}' ]; then
  echo 3.11; echo "ModuleNotFoundError: No module named 'ensurepip'" >&2; exit 1
fi
if [ "$1" = -m ] && [ "$2" = venv ]; then
  '${realPython}' -m venv --without-pip "$3" || exit 1
  rm -f "$3/bin/python" && cp '${file("venv-python")}' "$3/bin/python" && exit 0
  exit 1
fi
exec '${realPython}' "$@"`,
  );

  return {
    bin,
    pipCalls: () => (existsSync(file("pip-args")) ? readFileSync(file("pip-args"), "utf8").trim().split("\n").filter(Boolean) : []),
    pipPid: () => (existsSync(file("pip-pid")) ? Number(readFileSync(file("pip-pid"), "utf8").trim()) || undefined : undefined),
    pip: (mode) => writeFileSync(file("pip-mode"), typeof mode === "string" ? mode : String(mode.delaySeconds)),
    withoutVenv: () => writeFileSync(file("no-venv"), ""),
  };
}
