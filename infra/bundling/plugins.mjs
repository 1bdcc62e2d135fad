/*
 * The esbuild plugins every Herald function is bundled with (infra/lambda.ts's nodejs.plugins;
 * bench/src/bundles.ts loads this same file, so the bench measures what deploys). Plain ESM
 * JavaScript, not TypeScript: SST's Go bundler hands this path to `node`, which imports it as is.
 *
 * Written for SST v3's plugin bridge (.sst/platform/functions/nodejs-runtime/plugin.mjs), which
 * is narrower than esbuild's own API: a plugin gets only onResolve, onLoad and onEnd (no
 * build.resolve, no initialOptions); every callback is tried for every module, whatever its
 * filter and namespace say (it tests the filter against a field that is not the path); and
 * `pluginData` must be absent. So each callback matches with a catch-all filter and decides
 * for itself, from args, whether the module is its own.
 */
import { readFile } from "node:fs/promises";
import { dirname, join, sep } from "node:path";

const LOCALES_NAMESPACE = "herald-zod-locales";
const LOCALES_BARREL = join("node_modules", "zod", "v4", "locales", "index.js");

/**
 * zod 4's `z` namespace carries `z.locales` (and `z.core.locales`): every translation of its
 * error messages, ~440 KB minified. Code that imports names from zod (`import * as z`, then
 * `z.object`) leaves them out, but one `import { z } from "zod"` that uses `z` as a value keeps
 * the whole namespace, and @hono/zod-openapi does exactly that (it hands `z` to
 * extendZodWithOpenApi and re-exports it). This plugin bundles zod's locale barrel with English
 * only: zod's default error map is `en` (zod/v4/classic/schemas.js imports locales/en.js and
 * configures it on load), so every message stays as it is; nothing in Herald calls
 * `z.config(z.locales.xx())`, which would now find no `xx` (a TypeError at start-up, not a
 * silent change of language). Only zod's own relative import of the barrel is replaced: an
 * explicit `import ... from "zod/locales"` still gets them all.
 *
 * @returns {import("esbuild").Plugin}
 */
export function zodEnglishOnly() {
  return {
    name: "herald-zod-english-only",
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        if (!args.path.startsWith(".") || !args.importer.includes(`${sep}zod${sep}`)) return undefined;
        const target = join(args.resolveDir, args.path);
        if (!target.endsWith(LOCALES_BARREL)) return undefined;
        return { path: target, namespace: LOCALES_NAMESPACE };
      });
      build.onLoad({ filter: /.*/ }, (args) => {
        if (args.namespace !== LOCALES_NAMESPACE) return undefined;
        // resolveDir: en.js resolves to zod's own file, the very module schemas.js configures
        return { contents: `export { default as en } from "./en.js";\n`, resolveDir: dirname(args.path), loader: "js" };
      });
    },
  };
}

const ZOD_OPENAPI_ENTRY = join("node_modules", "@hono", "zod-openapi", "dist", "index.mjs");
const EXTEND_CALL = "extendZodWithOpenApi(z);";
const Z_IMPORT = 'import { z } from "zod";';

/**
 * The other half of the same cost: @hono/zod-openapi calls `extendZodWithOpenApi(z)` at load,
 * passing the `z` namespace as a value, so esbuild keeps every export of zod's classic API
 * (JSON Schema conversion both ways, z.compile, ...: ~95 KB minified) although Herald imports
 * names, not `z`. extendZodWithOpenApi reads nothing of its argument but `ZodType` (it adds
 * `.openapi()` to ZodType.prototype), so the call is given `{ ZodType: z.ZodType }`, a property
 * read esbuild can shake around, and `z` is imported as `import * as z from "zod"` (a named
 * import of zod's `z` is itself a namespace value, which esbuild keeps whole). The module still
 * exports a complete `z` (zod's root namespace: every export of `z`, plus `z` and `default`)
 * for any importer of it; Herald imports zod directly. If a new version no longer has this exact call, the file is bundled unchanged
 * (bigger, not broken: the bench's bundle figure shows it); no warning is returned, because
 * SST's bridge cannot carry one.
 *
 * @returns {import("esbuild").Plugin}
 */
export function zodOpenApiShakable() {
  return {
    name: "herald-zod-openapi-shakable",
    setup(build) {
      build.onLoad({ filter: /.*/ }, async (args) => {
        if (args.namespace !== "file" || !args.path.endsWith(ZOD_OPENAPI_ENTRY)) return undefined;
        const source = await readFile(args.path, "utf8");
        if (!source.includes(EXTEND_CALL) || !source.includes(Z_IMPORT)) return undefined;
        return {
          contents: source.replace(Z_IMPORT, 'import * as z from "zod";').replace(EXTEND_CALL, "extendZodWithOpenApi({ ZodType: z.ZodType });"),
          resolveDir: dirname(args.path),
          loader: "js",
        };
      });
    },
  };
}

const NO_JSON_SCHEMA_NAMESPACE = "herald-zod-no-json-schema";
const CLASSIC_SCHEMAS = join("node_modules", "zod", "v4", "classic", "schemas.js");
const PROCESSORS = join("zod", "v4", "core", "json-schema-processors.js");
const TO_JSON_SCHEMA = join("zod", "v4", "core", "to-json-schema.js");
const REFUSE = `const refuse = () => { throw new Error("zod's JSON Schema conversion is left out of Herald's Lambda bundles (infra/bundling/plugins.mjs)"); };\n`;

/**
 * A third part of zod that no Herald function runs: JSON Schema conversion (~19 KB minified).
 * zod 4's classic schemas give every schema a `toJSONSchema()` method, a `~standard.jsonSchema`
 * and a `_zod.processJSONSchema` that calls its type's processor, so every schema class a bundle
 * uses keeps its processor and the converter behind it, although nothing calls them: Herald's
 * OpenAPI document is built by @asteasolutions/zod-to-openapi, which walks the schemas itself,
 * and nothing calls toJSONSchema. So, for classic/schemas.js only, the two modules it imports for
 * that are replaced: each `...Processor` and the converter a `create...JSONSchemaMethod` returns
 * throw an Error saying why, and every other export (`aggregateChecks`, which `.minLength`,
 * `.format` and the like read at run time) is zod's own. `~standard` is still built (its
 * jsonSchema methods throw when called), so Standard Schema validation is unchanged. If a new
 * zod version has no such names, the module is zod's own (bigger, not broken).
 *
 * @returns {import("esbuild").Plugin}
 */
export function zodWithoutJsonSchema() {
  return {
    name: "herald-zod-without-json-schema",
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        if (!args.path.startsWith(".") || !args.importer.endsWith(CLASSIC_SCHEMAS)) return undefined;
        const target = join(args.resolveDir, args.path);
        if (!target.endsWith(PROCESSORS) && !target.endsWith(TO_JSON_SCHEMA)) return undefined;
        return { path: target, namespace: NO_JSON_SCHEMA_NAMESPACE };
      });
      build.onLoad({ filter: /.*/ }, async (args) => {
        if (args.namespace !== NO_JSON_SCHEMA_NAMESPACE) return undefined;
        const source = await readFile(args.path, "utf8");
        const names = [...source.matchAll(/^export (?:function|const) (\w+)/gm)].map((m) => m[1]);
        const refused = names.filter((n) => (args.path.endsWith(PROCESSORS) ? /Processor$/.test(n) : /^create\w*JSONSchemaMethod$/.test(n)));
        const own = `./${args.path.split(sep).at(-1)}`;
        const kept = names.filter((n) => !refused.includes(n));
        const contents =
          refused.length === 0
            ? `export * from "${own}";\n`
            : REFUSE +
              refused.map((n) => (n.startsWith("create") ? `export const ${n} = () => refuse;\n` : `export const ${n} = refuse;\n`)).join("") +
              (kept.length > 0 ? `export { ${kept.join(", ")} } from "${own}";\n` : "");
        // resolveDir: `own` is zod's real module (this importer is not classic/schemas.js, so it is not redirected again)
        return { contents, resolveDir: dirname(args.path), loader: "js" };
      });
    },
  };
}

export default [zodEnglishOnly(), zodOpenApiShakable(), zodWithoutJsonSchema()];
