#!/usr/bin/env node
/**
 * `process.env` is read in exactly one config.ts per service (STYLE.md): this finds every other
 * use in application code, as code (the TypeScript parser, so comments and strings do not count).
 * dependency-cruiser checks imports, and `process` is a global, not an import: hence this script.
 * packages/testing is exempt: test and development tooling (emulator lookup, local servers' CLIs).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const root = fileURLToPath(new URL("..", import.meta.url));
const ROOTS = ["packages", "services", "infra"];
const EXEMPT = [/^packages\/testing\//];

function* sources(dir) {
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name === "test" || name.startsWith(".")) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sources(path);
    else if (/\.(ts|mts|js|mjs)$/.test(name) && !name.endsWith(".d.ts")) yield path;
  }
}

const found = [];
for (const top of ROOTS) {
  for (const file of sources(join(root, top))) {
    const rel = relative(root, file);
    if (basename(file) === "config.ts" || EXEMPT.some((re) => re.test(rel))) continue;
    const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
    const visit = (node) => {
      if (
        ts.isPropertyAccessExpression(node) &&
        node.name.text === "env" &&
        ts.isIdentifier(node.expression) &&
        node.expression.text === "process"
      ) {
        const { line } = source.getLineAndCharacterOfPosition(node.getStart());
        found.push(`${rel}:${line + 1}`);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
}

if (found.length > 0) {
  process.stderr.write(`process.env outside a config.ts (read settings in the service's config.ts and pass them on):\n${found.map((f) => `  ${f}`).join("\n")}\n`);
  process.exit(1);
}
process.stdout.write("process.env: only in config.ts files\n");
