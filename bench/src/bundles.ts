/**
 * Each Lambda's bundle as SST v3 builds it, and its module init time in a fresh Node process,
 * against an empty handler and a bundle of just the SDK clients a consumer needs (SESv2 +
 * DynamoDB). SST's node runtime (pkg/runtime/node/build.go) runs esbuild with: platform node,
 * format esm, bundle, minify (nodejs.minify defaults to true), keepNames, mainFields
 * module,main, target ES2023 for nodejs22.x, a createRequire banner, and nothing external but
 * `sharp` and `pg-native` (plus nodejs.install / esbuild.external, which Herald sets none of):
 * the AWS SDK is bundled, not taken from the runtime. The source map (linked) is written beside
 * the bundle and not counted.
 */
import { spawnSync } from "node:child_process";
import { mkdir, readdir, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { build } from "esbuild";
import { dlqUrlSetting, QUEUE_NAMES, queueUrlSetting } from "@herald/contracts";
import { BENCH_ROOT, REPO_ROOT, median } from "./lib/util";

export type BundleFigure = { name: string; entry: string; bytes: number; initMs: number; initRuns: number[] };
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

async function bundle(name: string, entry: string): Promise<string> {
  const outfile = join(OUT, name, "bundle.mjs");
  const result = await build({
    entryPoints: [join(REPO_ROOT, entry)],
    absWorkingDir: REPO_ROOT,
    platform: "node",
    format: "esm",
    bundle: true,
    minify: true,
    keepNames: true,
    target: "es2023",
    mainFields: ["module", "main"],
    external: ["sharp", "pg-native"],
    banner: { js: BANNER },
    sourcemap: "linked",
    outfile,
    logLevel: "error",
  });
  if (result.errors.length > 0) throw new Error(`esbuild ${entry}: ${result.errors.map((e) => e.text).join("; ")}`);
  return outfile;
}

/** Module init: a fresh node process imports the bundle (the time of the import itself). */
function initTime(file: string): number {
  const script =
    "const t = performance.now(); await import(process.argv[1]); process.stdout.write(String(performance.now() - t)); process.exit(0);";
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script, file], {
    env: { PATH: process.env.PATH ?? "", ...FUNCTION_ENV },
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`init of ${file} failed: ${r.stderr.slice(-600)}`);
  return Number(r.stdout);
}

/**
 * Each bundle's init times over `runs` fresh processes. The runs go round the bundles in turn
 * (after one unmeasured round that warms the file cache), so a busy moment of the machine falls
 * on all of them alike rather than on one.
 */
function initTimes(files: string[], runs: number): number[][] {
  const times = files.map((): number[] => []);
  for (let round = 0; round <= runs; round++) {
    files.forEach((file, i) => {
      const t = initTime(file);
      if (round > 0) times[i]?.push(t);
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
  const files: string[] = [];
  for (const { name, entry } of entries) files.push(await bundle(name, entry));
  const times = initTimes(files, runs);
  const figures: BundleFigure[] = [];
  for (const [i, { name, entry }] of entries.entries()) {
    const initRuns = times[i] ?? [];
    figures.push({ name, entry, bytes: (await stat(files[i] ?? "")).size, initMs: median(initRuns), initRuns });
  }
  const [empty, sdkOnly] = figures.slice(-2);
  if (!empty || !sdkOnly) throw new Error("unreachable");
  return { functions: figures.slice(0, -2), empty, sdkOnly, runs };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await measureBundles();
  for (const f of [...r.functions, r.empty, r.sdkOnly]) console.log(`${f.name.padEnd(14)} ${(f.bytes / 1024).toFixed(0).padStart(6)} KB  init ${f.initMs.toFixed(1)} ms`);
}
