import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  EmulatorMissingError,
  findMoto,
  makePythonStandIn,
  MOTO_VERSION,
  newEnough,
  startMoto,
  type Emulator,
  type PythonStandIn,
} from "../../src/index";

const started: Emulator[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((e) => e.stop()));
});

/** An environment whose PATH holds only the stand-in python3, and a fresh venv location. */
function machine(python: PythonStandIn | { bin: string }) {
  const venvDir = join(mkdtempSync(join(tmpdir(), "herald-venv-")), "venv");
  const env: Record<string, string | undefined> = { ...process.env, PATH: python.bin, HERALD_VENV_DIR: venvDir };
  delete env.HERALD_MOTO_SERVER;
  const lines: string[] = [];
  return { venvDir, env, lines, say: (line: string) => void lines.push(line) };
}

const installLine = (venvDir: string) => `installing the AWS emulator (moto ${MOTO_VERSION}) into ${venvDir}, once`;

/** A directory with executable scripts: name → body (after a #!/bin/sh line unless it has its own). */
function scripts(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "herald-bin-"));
  for (const [name, body] of Object.entries(files)) {
    writeFileSync(join(dir, name), body.startsWith("#!") ? body : `#!/bin/sh\n${body}\n`);
    chmodSync(join(dir, name), 0o755);
  }
  return dir;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("findMoto without moto_server on the PATH (Herald's own venv)", () => {
  it("installs the pinned moto[server] into a new venv once, and the emulator it installed answers", async () => {
    // Prepare
    const python = await makePythonStandIn();
    const { venvDir, env, lines, say } = machine(python);

    // Act
    const emulator = await startMoto({ env, say });
    started.push(emulator);
    const data = await emulator.data();

    // Assess
    expect(lines).toEqual([installLine(venvDir)]);
    expect(python.pipCalls()).toEqual([`install --disable-pip-version-check --quiet moto[server]==${MOTO_VERSION}`]);
    expect(emulator.server).toEqual({ command: join(venvDir, "bin", "moto_server"), version: MOTO_VERSION, from: venvDir });
    expect(data).toBeTypeOf("object");
    expect(existsSync(join(venvDir, "herald-moto.json"))).toBe(true);
    expect(existsSync(`${venvDir}.lock`)).toBe(false);
  });

  it("reuses the venv on a second run without a word and without pip", async () => {
    // Prepare
    const python = await makePythonStandIn();
    const { env, lines, say } = machine(python);
    await findMoto({ env, say });
    lines.length = 0;

    // Act
    const second = await findMoto({ env, say });

    // Assess
    expect(lines).toEqual([]);
    expect(python.pipCalls()).toHaveLength(1);
    expect(second.version).toBe(MOTO_VERSION);
  });

  it("installs once when several runs ask at the same time, the others waiting for it", async () => {
    // Prepare
    const python = await makePythonStandIn();
    python.pip({ delaySeconds: 1 });
    const { venvDir, env, lines, say } = machine(python);

    // Act
    const found = await Promise.all(Array.from({ length: 4 }, () => findMoto({ env, say })));

    // Assess
    expect(python.pipCalls()).toHaveLength(1);
    expect(new Set(found.map((f) => f.command))).toEqual(new Set([join(venvDir, "bin", "moto_server")]));
    expect(lines.filter((l) => l === installLine(venvDir))).toHaveLength(1);
    // each of the three others says once that it waits
    expect(lines.filter((l) => l === `waiting for another run that is installing the AWS emulator into ${venvDir}`)).toHaveLength(3);
  });

  it("rebuilds a venv left half-built under a lock whose owner is gone", async () => {
    // Prepare: a venv with a moto_server but no completion marker, locked by a process that has exited
    const python = await makePythonStandIn();
    const { venvDir, env, say } = machine(python);
    mkdirSync(join(venvDir, "bin"), { recursive: true });
    writeFileSync(join(venvDir, "bin", "moto_server"), "#!/bin/sh\nexit 1\n", { mode: 0o755 });
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]).stdout.toString();
    mkdirSync(`${venvDir}.lock`);
    writeFileSync(join(`${venvDir}.lock`, "owner.json"), JSON.stringify({ pid: Number(dead), host: hostname(), at: Date.now() }));

    // Act
    const emulator = await startMoto({ env, say });
    started.push(emulator);

    // Assess
    expect(python.pipCalls()).toHaveLength(1);
    expect(await emulator.data()).toBeTypeOf("object");
    expect(existsSync(`${venvDir}.lock`)).toBe(false);
  });

  it("stops pip and leaves neither venv nor lock behind when aborted mid-install", async () => {
    // Prepare
    const python = await makePythonStandIn();
    python.pip("hang");
    const { venvDir, env, say } = machine(python);
    const abort = new AbortController();
    const finding = findMoto({ env, say, signal: abort.signal });
    finding.catch(() => undefined);
    const deadline = Date.now() + 20_000;
    while (python.pipPid() === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const pip = python.pipPid() ?? 0;

    // Act
    abort.abort();

    // Assess
    await expect(finding).rejects.toMatchObject({ name: "AbortError" });
    expect(pip).toBeGreaterThan(0);
    expect(alive(pip)).toBe(false);
    expect(existsSync(venvDir)).toBe(false);
    expect(existsSync(`${venvDir}.lock`)).toBe(false);
  });

  it("names pip's error in one line when the install fails, keeps nothing, and tries again next time", async () => {
    // Prepare: pip as it answers on a machine without a package index
    const python = await makePythonStandIn();
    python.pip("fail");
    const { venvDir, env, say } = machine(python);

    // Act
    const first = await findMoto({ env, say }).catch((e: unknown) => e);
    const second = await findMoto({ env, say }).catch((e: unknown) => e);

    // Assess
    expect(first).toBeInstanceOf(EmulatorMissingError);
    const message = (first as Error).message;
    expect(message).toContain(`pip could not install moto[server]==${MOTO_VERSION} into ${venvDir}`);
    expect(message).toContain("ERROR: No matching distribution found for moto[server]==5.2.1");
    expect(message).toContain("HERALD_MOTO_SERVER");
    expect(message).not.toContain("\n");
    expect(second).toBeInstanceOf(EmulatorMissingError);
    expect(python.pipCalls()).toHaveLength(2);
    expect(existsSync(venvDir)).toBe(false);
  });

  it("says in one line that Python 3 is needed when there is no python3", async () => {
    // Prepare
    const { venvDir, env, say } = machine({ bin: mkdtempSync(join(tmpdir(), "no-python-")) });

    // Act
    const starting = startMoto({ env, say });

    // Assess
    await expect(starting).rejects.toBeInstanceOf(EmulatorMissingError);
    await expect(starting).rejects.toThrow(
      "Python 3 is needed for the AWS emulator (moto): apt install python3 python3-venv (Debian/Ubuntu) or brew install python (macOS)",
    );
    expect(existsSync(venvDir)).toBe(false);
  });

  it("says in one line that python3 has no venv module, and runs no pip", async () => {
    // Prepare
    const python = await makePythonStandIn();
    python.withoutVenv();
    const { venvDir, env, lines, say } = machine(python);

    // Act
    const finding = findMoto({ env, say });

    // Assess
    await expect(finding).rejects.toThrow(/^python3 has no venv module: apt install python3-venv \(Debian\/Ubuntu[^\n]*\)$/);
    expect(lines).toEqual([]);
    expect(python.pipCalls()).toEqual([]);
    expect(existsSync(venvDir)).toBe(false);
  });
});

describe("findMoto with moto_server on the PATH", () => {
  it("finds this machine's emulator and tells its version", async () => {
    // Act
    const found = await findMoto({ say: () => undefined });

    // Assess
    expect(found.version).toMatch(/^\d+\.\d+/);
    expect(newEnough(found.version ?? "")).toBe(true);
  });

  it("asks the python its shebang names, before one beside it", async () => {
    // Prepare: the shebang's python says 5.1.0, the python beside moto_server 4.0.0
    const interpreters = scripts({ "python3.11": "echo 5.1.0" });
    const bin = scripts({ moto_server: `#!${interpreters}/python3.11\n`, python3: "echo 4.0.0" });
    const { venvDir, env, lines, say } = machine({ bin });

    // Act
    const found = await findMoto({ env, say });

    // Assess
    expect(found).toEqual({ command: join(bin, "moto_server"), version: "5.1.0", from: "PATH" });
    expect(lines).toEqual([]);
    expect(existsSync(venvDir)).toBe(false);
  });

  it("asks the python beside a wrapper script (a pyenv shim) for the version", async () => {
    // Prepare
    const bin = scripts({ moto_server: 'exec somewhere/moto_server "$@"', python3: "echo 5.0.2" });
    const { env, say } = machine({ bin });

    // Act
    const found = await findMoto({ env, say });

    // Assess
    expect(found.version).toBe("5.0.2");
  });

  it("uses a moto_server whose version it cannot tell, and says so in one line", async () => {
    // Prepare: a wrapper with no python beside it, and no python3 on the PATH
    const bin = scripts({ moto_server: 'exec somewhere/moto_server "$@"' });
    const { venvDir, env, lines, say } = machine({ bin });

    // Act
    const found = await findMoto({ env, say });

    // Assess
    expect(found).toEqual({ command: join(bin, "moto_server"), version: undefined, from: "PATH" });
    expect(lines).toEqual([`could not tell which moto ${join(bin, "moto_server")} is (Herald needs >= 5.0, tested with ${MOTO_VERSION}); using it`]);
    expect(existsSync(venvDir)).toBe(false);
  });

  it("passes over a moto 4 on the PATH, says why, and installs its own", async () => {
    // Prepare: a moto 4 ahead of the stand-in python3 on the PATH
    const python = await makePythonStandIn();
    const interpreter = scripts({ "python3.9": "echo 4.2.14" });
    const old = scripts({ moto_server: `#!${interpreter}/python3.9\n` });
    const { venvDir, env, lines, say } = machine(python);
    env.PATH = `${old}:${python.bin}`;

    // Act
    const found = await findMoto({ env, say });

    // Assess
    expect(lines[0]).toBe(`${join(old, "moto_server")} is moto 4.2.14; Herald needs moto >= 5.0, so it uses its own in ${venvDir}`);
    expect(lines[1]).toBe(installLine(venvDir));
    expect(found.from).toBe(venvDir);
    expect(python.pipCalls()).toHaveLength(1);
  });
});

describe("findMoto with HERALD_MOTO_SERVER", () => {
  it("uses the moto_server it names before the one on the PATH", async () => {
    // Prepare
    const chosen = scripts({ moto_server: "#!/bin/sh\n", python3: "echo 5.2.0" });
    const onPath = scripts({ moto_server: "#!/bin/sh\n", python3: "echo 5.2.1" });
    const { env, say } = machine({ bin: onPath });
    env.HERALD_MOTO_SERVER = join(chosen, "moto_server");

    // Act
    const found = await findMoto({ env, say });

    // Assess
    expect(found).toEqual({ command: join(chosen, "moto_server"), version: "5.2.0", from: "HERALD_MOTO_SERVER" });
  });

  it("refuses one that is missing or too old, in one line", async () => {
    // Prepare
    const old = scripts({ moto_server: "#!/bin/sh\n", python3: "echo 4.1.0" });
    const { env, say } = machine({ bin: old });

    // Act
    const missing = findMoto({ env: { ...env, HERALD_MOTO_SERVER: "/nowhere/moto_server" }, say });
    const tooOld = findMoto({ env: { ...env, HERALD_MOTO_SERVER: join(old, "moto_server") }, say });

    // Assess
    await expect(missing).rejects.toThrow("HERALD_MOTO_SERVER=/nowhere/moto_server is not an executable file");
    await expect(tooOld).rejects.toThrow(`HERALD_MOTO_SERVER=${join(old, "moto_server")} is moto 4.1.0; Herald needs moto >= 5.0 (tested with ${MOTO_VERSION})`);
  });
});

describe("newEnough", () => {
  it("takes moto 5.0 and later, pre-releases of 5 included, and refuses moto 4", () => {
    // Act
    const verdicts = ["5.0.0", "5.2.1", "5.1.0.dev3", "10.0", "4.2.14", "4", "0.1"].map((v) => [v, newEnough(v)]);

    // Assess
    expect(Object.fromEntries(verdicts)).toEqual({
      "5.0.0": true,
      "5.2.1": true,
      "5.1.0.dev3": true,
      "10.0": true,
      "4.2.14": false,
      "4": false,
      "0.1": false,
    });
  });
});
