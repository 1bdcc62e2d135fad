/*
 * What every Herald function has in common on Lambda, pure (no SST globals: bench/src/bundles.ts
 * builds the bundles with the same options to measure them):
 *
 * - arm64 (Graviton): about 20% less per GB-s than x86_64 at the same memory, and nothing Herald
 *   bundles is native code;
 * - minified ESM bundles (SST's defaults, stated), with code splitting: what a function loads only
 *   on a rare path (the KMS client of the ingest API's decrypt route, nodemailer behind SES, the
 *   Secrets Manager client, the SQS client a retry's backoff needs) is a chunk of its own that a
 *   cold start does not read;
 * - source maps: SST builds them either way. Without HERALD_SOURCE_MAPS=on they stay out of the
 *   package (SST uploads them to its bootstrap bucket, for the SST Console) and Node does not map
 *   stack traces at run time, which costs ~25 ms of every cold start and slows every error stack;
 *   with it, the package carries them and NODE_OPTIONS=--enable-source-maps turns them on;
 * - esbuild plugins (infra/bundling/plugins.mjs) that keep zod's unused exports, its ~440 KB of
 *   translated error messages first, out of every bundle that reaches @hono/zod-openapi, and its
 *   JSON Schema conversion (~15 KB) out of every bundle that uses zod at all. They go
 *   in as nodejs.plugins, a path SST resolves from the directory it runs in (the repository
 *   root): SST v3's Go bundler passes on only `external` and `target` of nodejs.esbuild, so an
 *   esbuild `alias` there would be dropped without a word.
 * - `"sideEffects": false` in every packages/* package.json but @herald/testing (which imports
 *   reflect-metadata for its effect): without it esbuild must keep every module a barrel
 *   re-exports, and what those import: @herald/queue/sqs alone pulled the whole SQS client into
 *   each consumer through its worker and publisher, which a Lambda never runs. No module of those
 *   packages does anything at load but define; one that must run for its effect would need
 *   listing there (sideEffects takes an array of paths).
 */
export const ARCHITECTURE = "arm64" as const;

export const NODEJS_BUNDLING = { minify: true, splitting: true, plugins: "infra/bundling/plugins.mjs" } as const;

/** The function properties every Herald function takes, and the environment it adds. */
export function lambdaDefaults(options: { sourceMaps: boolean }) {
  return {
    architecture: ARCHITECTURE,
    nodejs: { ...NODEJS_BUNDLING, ...(options.sourceMaps && { sourcemap: true }) },
  };
}

export function lambdaEnvironment(options: { sourceMaps: boolean }): Record<string, string> {
  return options.sourceMaps ? { NODE_OPTIONS: "--enable-source-maps" } : {};
}
