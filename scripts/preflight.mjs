#!/usr/bin/env node
// Runs first in `npm start` and `npm test` (package.json): npm does not enforce "engines", so an
// older Node would otherwise fail later with a syntax error from deep inside a dependency. Then
// checks that `npm install` has run. One line and exit 1 when something is missing; silent when
// not. Builtins only and no newer syntax (no ?. or ??), so every Node from 12 on gets the line.
//
// `npm install` stays its own step rather than being run from here: it is the one step that
// needs the npm registry and may take minutes, and a start that quietly rewrites node_modules
// when it thinks them stale is harder to trust than one line saying what to run.
import { existsSync, readFileSync } from "fs";
import { dirname, join, resolve } from "path";
import { fileURLToPath } from "url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** The one line saying what is missing, or undefined when Node and node_modules are fine. */
export function preflight(nodeVersion, root) {
  const wanted = minimumNode(root);
  if (wanted && !atLeast(nodeVersion, wanted)) {
    return "herald needs Node " + wanted + " or newer; this is Node " + nodeVersion + " (https://nodejs.org, or nvm install 20)";
  }
  if (!existsSync(join(root, "node_modules"))) return "run npm install first (there is no node_modules yet)";
  return undefined;
}

/** "20.19" from package.json's engines.node (">=20.19"), the one place the minimum is written. */
function minimumNode(root) {
  const engines = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).engines || {};
  const match = /(\d+(?:\.\d+){0,2})/.exec(engines.node || "");
  return match ? match[1] : undefined;
}

function atLeast(version, wanted) {
  const have = version.replace(/^v/, "").split(".").map(Number);
  const want = wanted.split(".").map(Number);
  for (let i = 0; i < want.length; i++) {
    if ((have[i] || 0) !== want[i]) return (have[i] || 0) > want[i];
  }
  return true;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const problem = preflight(process.versions.node, ROOT);
  if (problem) {
    process.stderr.write("herald: " + problem + "\n");
    process.exit(1);
  }
}
