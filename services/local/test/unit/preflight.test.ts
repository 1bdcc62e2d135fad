import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../src/config";

const script = join(REPO_ROOT, "scripts", "preflight.mjs");
// A plain-JS script (it must run on any Node), loaded by path so the type-check does not follow it.
const { preflight } = (await import(script)) as { preflight: (nodeVersion: string, root: string) => string | undefined };

/** A repository root with the given engines.node and, unless told otherwise, a node_modules. */
function repo(engines: string, installed = true): string {
  const root = mkdtempSync(join(tmpdir(), "herald-preflight-"));
  writeFileSync(join(root, "package.json"), JSON.stringify({ name: "x", engines: { node: engines } }));
  if (installed) mkdirSync(join(root, "node_modules"));
  return root;
}

describe("preflight (first in npm start and npm test)", () => {
  it("names the Node version needed, from engines, when Node is older", () => {
    // Prepare
    const root = repo(">=20.19");

    // Act
    const verdicts = ["18.20.4", "20.18.3", "v16.0.0"].map((v) => preflight(v, root));

    // Assess
    expect(verdicts).toEqual([
      "herald needs Node 20.19 or newer; this is Node 18.20.4 (https://nodejs.org, or nvm install 20)",
      "herald needs Node 20.19 or newer; this is Node 20.18.3 (https://nodejs.org, or nvm install 20)",
      "herald needs Node 20.19 or newer; this is Node v16.0.0 (https://nodejs.org, or nvm install 20)",
    ]);
  });

  it("passes Node 20.19 and newer", () => {
    // Prepare
    const root = repo(">=20.19");

    // Act
    const verdicts = ["20.19.0", "20.20.2", "22.1.0", "24.0.0"].map((v) => preflight(v, root));

    // Assess
    expect(verdicts).toEqual([undefined, undefined, undefined, undefined]);
  });

  it("says to run npm install first when there is no node_modules", () => {
    // Prepare
    const root = repo(">=20.19", false);

    // Act
    const verdict = preflight("20.19.0", root);

    // Assess
    expect(verdict).toBe("run npm install first (there is no node_modules yet)");
  });

  it("is silent and exits 0 as a script on this repository and this Node", async () => {
    // Act
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [script], { cwd: REPO_ROOT });

    // Assess
    expect(stdout + stderr).toBe("");
  });

  it("stops with one line and exit 1 as a script in a clone without node_modules", async () => {
    // Prepare: the script in a fresh clone of its own
    const root = repo(">=20.19", false);
    mkdirSync(join(root, "scripts"));
    copyFileSync(script, join(root, "scripts", "preflight.mjs"));

    // Act
    const failed = await promisify(execFile)(process.execPath, [join(root, "scripts", "preflight.mjs")]).catch((e: unknown) => e);

    // Assess
    expect(failed).toMatchObject({ code: 1, stdout: "", stderr: "herald: run npm install first (there is no node_modules yet)\n" });
  });
});
