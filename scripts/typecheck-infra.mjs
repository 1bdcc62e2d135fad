#!/usr/bin/env node
// Type-checks sst.config.ts and infra/*.ts without AWS credentials and without the downloads the
// SST CLI does on first use (Pulumi and bun from GitHub, unreachable here and in CI):
//   1. link the bun binary that the pinned `bun` devDependency ships (an @oven/bun-* package)
//      to where SST looks for it (<user config dir>/sst/bin/bun);
//   2. `sst install` with SST_SKIP_DEPENDENCY_CHECK=1 (no Pulumi needed for it): writes
//      .sst/platform (SST's component sources, config.d.ts) and bun-installs the providers from
//      the npm registry; skipped when .sst is already current for this SST version and config;
//   3. `tsc -p tsconfig.infra.json`; its exit code is ours.
// Idempotent; needs only `npm install` before it. Node builtins only.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const modules = join(root, "node_modules");
const started = Date.now();

const say = (line) => console.log(`typecheck:infra: ${line}`);
const fail = (line) => {
  console.error(`typecheck:infra: ${line}`);
  process.exit(1);
};

function packageVersion(name) {
  const file = join(modules, name, "package.json");
  if (!existsSync(file)) fail(`${name} is not installed; run npm install first`);
  return JSON.parse(readFileSync(file, "utf8")).version;
}

/** The version a bun binary reports, or undefined when it does not run here (wrong libc, no AVX2, ...). */
function bunVersionOf(path) {
  try {
    if (!statSync(path).isFile() || statSync(path).size === 0) return undefined;
  } catch {
    return undefined;
  }
  const result = spawnSync(path, ["--version"], { encoding: "utf8", timeout: 30_000 });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/** Go's os.UserConfigDir, which the SST CLI uses for its bin directory. */
function userConfigDir() {
  if (process.platform === "darwin") return join(homedir(), "Library", "Application Support");
  if (process.platform === "win32") return process.env.AppData ?? join(homedir(), "AppData", "Roaming");
  return process.env.XDG_CONFIG_HOME || join(homedir(), ".config");
}

/*
 * npm 11 does not run bun's postinstall by default, so the binary may still sit in its
 * platform package. Where the postinstall did run, it moved the binary to bun/bin/bun.exe.
 * Native builds come before baseline (no AVX2) and glibc before musl; the first that runs wins.
 */
function bunCandidates() {
  const arch = { x64: "x64", arm64: "aarch64" }[process.arch] ?? process.arch;
  const prefix = `bun-${process.platform === "win32" ? "windows" : process.platform}-${arch}`;
  const scoped = join(modules, "@oven");
  const variants = existsSync(scoped)
    ? readdirSync(scoped)
        .filter((name) => name === prefix || name.startsWith(`${prefix}-`))
        .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
    : [];
  const binary = process.platform === "win32" ? "bun.exe" : "bun";
  return [join(modules, "bun", "bin", "bun.exe"), ...variants.map((name) => join(scoped, name, "bin", binary))];
}

function rank(name) {
  return (name.includes("musl") ? 2 : 0) + (name.includes("baseline") ? 1 : 0);
}

function ensureBun(version) {
  const target = join(userConfigDir(), "sst", "bin", process.platform === "win32" ? "bun.exe" : "bun");
  if (bunVersionOf(target) === version) {
    say(`bun ${version} ready at ${target}`);
    return;
  }
  const source = bunCandidates().find((path) => bunVersionOf(path) === version);
  if (!source) fail(`no runnable bun ${version} under node_modules (the bun devDependency); run npm install`);
  mkdirSync(dirname(target), { recursive: true });
  try {
    lstatSync(target);
    rmSync(target, { force: true });
  } catch {
    // nothing there yet
  }
  try {
    symlinkSync(source, target);
  } catch {
    copyFileSync(source, target);
    chmodSync(target, 0o755);
  }
  if (bunVersionOf(target) !== version) fail(`linked ${source} to ${target}, but it does not run`);
  say(`bun ${version} linked: ${target} -> ${source}`);
}

/** What `sst install` derives its output from: the SST version and sst.config.ts (providers). */
function installStamp(sstVersion) {
  const config = readFileSync(join(root, "sst.config.ts"));
  return JSON.stringify({ sst: sstVersion, config: createHash("sha256").update(config).digest("hex") });
}

function platformIsCurrent(sstVersion, stampFile) {
  const platform = join(root, ".sst", "platform");
  const read = (file) => (existsSync(file) ? readFileSync(file, "utf8").trim() : undefined);
  return (
    existsSync(join(platform, "config.d.ts")) &&
    existsSync(join(platform, "node_modules", "@pulumi", "pulumi", "package.json")) &&
    read(join(platform, "version")) === sstVersion &&
    read(stampFile) === installStamp(sstVersion)
  );
}

function sstInstall(sstVersion) {
  const stampFile = join(root, ".sst", "typecheck-infra.stamp");
  if (platformIsCurrent(sstVersion, stampFile)) {
    say(`.sst/platform is current for sst ${sstVersion}; skipping sst install`);
    return;
  }
  say(`sst install (sst ${sstVersion}; providers from the npm registry)...`);
  const env = {
    ...process.env,
    SST_SKIP_DEPENDENCY_CHECK: "1",
    SST_TELEMETRY_DISABLED: "1",
  };
  // Reach the registry the way npm is configured to (under `npm run`, npm exports its config).
  if (!env.NODE_EXTRA_CA_CERTS && env.npm_config_cafile) env.NODE_EXTRA_CA_CERTS = env.npm_config_cafile;
  if (!env.NPM_REGISTRY && env.npm_config_registry) env.NPM_REGISTRY = env.npm_config_registry.replace(/\/+$/, "");
  const result = spawnSync(process.execPath, [join(modules, "sst", "bin", "sst.mjs"), "install", "--stage", "ci", "--print-logs"], {
    cwd: root,
    env,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (result.status !== 0 || !existsSync(join(root, ".sst", "platform", "config.d.ts"))) {
    // --print-logs makes the real cause visible; keep its errors and the CLI's own lines.
    const lines = `${result.stdout ?? ""}${result.stderr ?? ""}`.split("\n");
    const useful = lines.filter((line) => line.trim() !== "" && (!line.startsWith("time=") || line.includes("level=ERROR")));
    process.stderr.write(`${useful.join("\n")}\n`);
    fail(`sst install failed (exit ${result.status ?? result.signal}); see the output above`);
  }
  writeFileSync(stampFile, `${installStamp(sstVersion)}\n`);
  say("sst install done");
}

function typecheck() {
  say("tsc -p tsconfig.infra.json");
  const tsc = join(modules, "typescript", "bin", "tsc");
  if (!existsSync(tsc)) fail("typescript is not installed; run npm install first");
  const result = spawnSync(process.execPath, [tsc, "-p", join(root, "tsconfig.infra.json")], {
    cwd: root,
    stdio: "inherit",
  });
  return result.status ?? 1;
}

const sstVersion = packageVersion("sst");
ensureBun(packageVersion("bun"));
sstInstall(sstVersion);
const status = typecheck();
const seconds = ((Date.now() - started) / 1000).toFixed(1);
if (status === 0) say(`ok (${seconds}s)`);
else console.error(`typecheck:infra: type errors in sst.config.ts or infra/ (${seconds}s)`);
process.exit(status);
