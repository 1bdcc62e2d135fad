/**
 * Each Lambda's bundle as SST v3 builds it, and its module init time in a fresh Node process,
 * against an empty handler and a bundle of just the SDK clients a consumer needs (SESv2 +
 * DynamoDB). SST's node runtime (pkg/runtime/node/build.go) runs esbuild with: platform node,
 * format esm, bundle, minify and splitting as infra/lambda.ts sets them (nodejs.minify, which
 * SST documents as on by default; nodejs.splitting), keepNames, mainFields module,main, target
 * ES2023 for nodejs22.x, a createRequire banner, the esbuild plugins of nodejs.plugins (the
 * same file, loaded here as SST's bridge loads it), and nothing external but `sharp` and
 * `pg-native` (plus nodejs.install / esbuild.external, which Herald sets none of): the AWS SDK
 * is bundled, not taken from the runtime. Source maps (linked) are written beside the chunks and
 * not counted.
 */
import { spawnSync } from "node:child_process";
import { mkdir, readdir, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build, type Plugin } from "esbuild";
import { dlqUrlSetting, QUEUE_NAMES, queueUrlSetting } from "@herald/contracts";
import { NODEJS_BUNDLING } from "../../infra/lambda";
import { BENCH_ROOT, REPO_ROOT, median } from "./lib/util";

/**
 * `bytes`: what a cold start loads, the entry chunk and every chunk it imports statically;
 * `totalBytes`: every chunk, those loaded on demand (dynamic imports) included. One file, and
 * the two equal, without code splitting.
 */
export type BundleFigure = {
  name: string;
  entry: string;
  bytes: number;
  totalBytes: number;
  chunks: number;
  /** Importing the entry chunk: Lambda's init phase. */
  initMs: number;
  initRuns: number[];
  /** Importing the entry chunk and then every other chunk: the most a cold start's first request can add. */
  initAllMs: number;
};
export type BundleResult = { functions: BundleFigure[]; empty: BundleFigure; sdkOnly: BundleFigure; runs: number };

const OUT = join(BENCH_ROOT, ".build", "bundles");
const BANNER = [
  `import { createRequire as topLevelCreateRequire } from 'module';`,
  `const require = topLevelCreateRequire(import.meta.url);`,
  `import { fileURLToPath as topLevelFileUrlToPath, URL as topLevelURL } from "url"`,
  `const __filename = topLevelFileUrlToPath(import.meta.url)`,
  `const __dirname = topLevelFileUrlToPath(new topLevelURL(".", import.meta.url))`,
].join("\n");

/** What every function's configuration needs to load (values the emulator would hand out). */
const FUNCTION_ENV: Record<string, string> = {
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: "bench",
  AWS_SECRET_ACCESS_KEY: "bench",
  HERALD_TABLE_NAME: "herald-bench",
  ...Object.fromEntries(QUEUE_NAMES.map((q) => [queueUrlSetting(q), `https://sqs.us-east-1.amazonaws.com/000000000000/${q}`])),
  ...Object.fromEntries(QUEUE_NAMES.map((q) => [dlqUrlSetting(q), `https://sqs.us-east-1.amazonaws.com/000000000000/${q}-dlq`])),
  // the queues outside QUEUE_NAMES: the SES events queue (services/events) and the webhooks queue (webhook-fanout, webhooks)
  HERALD_EVENTS_QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/000000000000/events",
  HERALD_WEBHOOKS_QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/000000000000/webhooks",
  HERALD_EMAIL_FROM: "noreply@example.com",
  HERALD_IDENTITY_SOURCE: "authorizer",
  HERALD_AUDIT_HMAC_KEY: "secretsmanager:arn:aws:secretsmanager:us-east-1:000000000000:secret:audit",
  HERALD_KMS_KEY_ID: "alias/herald-bench-data",
  HERALD_MAX_RECEIVES: "5",
  HERALD_LOG_LEVEL: "WARN",
};

export async function lambdaEntrypoints(): Promise<{ name: string; entry: string }[]> {
  const services = await readdir(join(REPO_ROOT, "services"));
  const found: { name: string; entry: string }[] = [];
  for (const name of services.sort()) {
    const entry = join("services", name, "src", "entrypoints", "lambda.ts");
    if (await stat(join(REPO_ROOT, entry)).then(() => true, () => false)) found.push({ name, entry });
  }
  return found;
}

type Built = { file: string; bytes: number; totalBytes: number; chunks: number };

/** nodejs.plugins: a module whose default export is the plugin list, as SST's bridge imports it. */
async function nodejsPlugins(): Promise<Plugin[]> {
  const module = (await import(pathToFileURL(join(REPO_ROOT, NODEJS_BUNDLING.plugins)).href)) as { default: Plugin[] };
  return module.default;
}

async function bundle(name: string, entry: string): Promise<Built> {
  const outdir = join(OUT, name);
  const result = await build({
    plugins: await nodejsPlugins(),
    entryPoints: { bundle: join(REPO_ROOT, entry) },
    absWorkingDir: REPO_ROOT,
    platform: "node",
    format: "esm",
    bundle: true,
    minify: NODEJS_BUNDLING.minify,
    splitting: NODEJS_BUNDLING.splitting,
    keepNames: true,
    target: "es2023",
    mainFields: ["module", "main"],
    external: ["sharp", "pg-native"],
    banner: { js: BANNER },
    sourcemap: "linked",
    outdir,
    outExtension: { ".js": ".mjs" },
    metafile: true,
    logLevel: "error",
  });
  if (result.errors.length > 0) throw new Error(`esbuild ${entry}: ${result.errors.map((e) => e.text).join("; ")}`);
  const outputs = Object.entries(result.metafile.outputs).filter(([path]) => path.endsWith(".mjs"));
  const byPath = new Map(outputs);
  const entryPath = outputs.find(([path]) => path.endsWith("/bundle.mjs"))?.[0];
  if (!entryPath) throw new Error(`esbuild ${entry}: no entry chunk`);
  // What the entry chunk pulls in at load: its static imports, transitively.
  const loaded = new Set<string>();
  const visit = (path: string) => {
    if (loaded.has(path)) return;
    loaded.add(path);
    for (const i of byPath.get(path)?.imports ?? []) if (i.kind === "import-statement" && byPath.has(i.path)) visit(i.path);
  };
  visit(entryPath);
  const size = (paths: Iterable<string>) => [...paths].reduce((a, p) => a + (byPath.get(p)?.bytes ?? 0), 0);
  return { file: join(REPO_ROOT, entryPath), bytes: size(loaded), totalBytes: size(byPath.keys()), chunks: outputs.length };
}

/**
 * Module init: a fresh node process imports the bundle (the time of the import itself), and with
 * `all` then every other chunk beside it.
 */
function initTime(file: string, all: boolean): number {
  const script = [
    "const t = performance.now();",
    "await import(process.argv[1]);",
    "if (process.argv[2] === 'all') {",
    "  const { readdirSync } = await import('node:fs'); const { dirname, join } = await import('node:path');",
    "  const dir = dirname(process.argv[1]);",
    "  for (const f of readdirSync(dir)) if (f.endsWith('.mjs') && join(dir, f) !== process.argv[1]) await import(join(dir, f));",
    "}",
    "process.stdout.write(String(performance.now() - t)); process.exit(0);",
  ].join("\n");
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script, file, all ? "all" : "entry"], {
    env: { PATH: process.env.PATH ?? "", ...FUNCTION_ENV },
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`init of ${file} failed: ${r.stderr.slice(-600)}`);
  return Number(r.stdout);
}

/**
 * Each bundle's init times over `runs` fresh processes, the entry alone and with every chunk. The
 * runs go round the bundles in turn (after one unmeasured round that warms the file cache), so a
 * busy moment of the machine falls on all of them alike rather than on one.
 */
function initTimes(files: string[], runs: number): { entry: number[]; all: number[] }[] {
  const times = files.map(() => ({ entry: [] as number[], all: [] as number[] }));
  for (let round = 0; round <= runs; round++) {
    files.forEach((file, i) => {
      const entry = initTime(file, false);
      const all = initTime(file, true);
      if (round > 0) {
        times[i]?.entry.push(entry);
        times[i]?.all.push(all);
      }
    });
  }
  return times;
}

export async function measureBundles(runs = Number(process.env.BENCH_INIT_RUNS ?? 11)): Promise<BundleResult> {
  await rm(OUT, { recursive: true, force: true });
  await mkdir(OUT, { recursive: true });
  const fixtures = join(BENCH_ROOT, ".build", "fixtures");
  await mkdir(fixtures, { recursive: true });
  // Written at build time, not kept in src/: they are not code anyone imports.
  await writeFile(join(fixtures, "empty.ts"), "export const handler = async () => ({});\n");
  await writeFile(
    join(fixtures, "sdk-only.ts"),
    [
      `import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";`,
      `import { SESv2Client, SendEmailCommand } from "@aws-sdk/client-sesv2";`,
      `const dynamo = new DynamoDBClient({});`,
      `const ses = new SESv2Client({});`,
      `export const handler = async (event: { key: string }) => {`,
      `  await dynamo.send(new GetItemCommand({ TableName: "t", Key: { pk: { S: event.key } } }));`,
      `  return ses.send(new SendEmailCommand({}));`,
      `};`,
      ``,
    ].join("\n"),
  );
  const entries = [
    ...(await lambdaEntrypoints()),
    { name: "empty-handler", entry: join("bench", ".build", "fixtures", "empty.ts") },
    { name: "sdk-only", entry: join("bench", ".build", "fixtures", "sdk-only.ts") },
  ];
  const built: Built[] = [];
  for (const { name, entry } of entries) built.push(await bundle(name, entry));
  const times = initTimes(built.map((b) => b.file), runs);
  const figures: BundleFigure[] = entries.map(({ name, entry }, i) => {
    const b = built[i] ?? { bytes: 0, totalBytes: 0, chunks: 0 };
    const t = times[i] ?? { entry: [], all: [] };
    return { name, entry, bytes: b.bytes, totalBytes: b.totalBytes, chunks: b.chunks, initMs: median(t.entry), initRuns: t.entry, initAllMs: median(t.all) };
  });
  const [empty, sdkOnly] = figures.slice(-2);
  if (!empty || !sdkOnly) throw new Error("unreachable");
  return { functions: figures.slice(0, -2), empty, sdkOnly, runs };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await measureBundles();
  for (const f of [...r.functions, r.empty, r.sdkOnly]) console.log(`${f.name.padEnd(14)} ${(f.bytes / 1024).toFixed(0).padStart(6)} KB (all chunks ${(f.totalBytes / 1024).toFixed(0)} KB)  init ${f.initMs.toFixed(1)} ms (all chunks ${f.initAllMs.toFixed(1)} ms)`);
}
