/**
 * npm run bench: every figure of issue 16 against its target. Writes bench/results/latest.json
 * (BENCH_OUT elsewhere) and prints one table: figure, value, target, holds.
 *
 * Knobs (defaults in brackets; the whole run is ~6-8 min on a 2-core machine):
 *   BENCH_ONLY=bundles,http,profile,limiter,wire,auth   run some parts only [all]; the costs need
 *                                  wire, http and limiter: a part not run is taken from the results
 *                                  file already at BENCH_BASE [bench/results/latest.json], and the
 *                                  costs say so (`cost.from`). Set BENCH_OUT for a partial run, or
 *                                  it overwrites latest.json with only its parts.
 *   BENCH_INIT_RUNS [11]            fresh-process imports per bundle (median)
 *   BENCH_HTTP_SECONDS [10]        autocannon seconds per server; BENCH_HTTP_CONNECTIONS [16]
 *   BENCH_PROFILE_SECONDS [8]      seconds of load while the ingest server runs under --cpu-prof
 *   BENCH_LIMITER_RATE [14]        the send rate configured for the limiter figure; BENCH_LIMITER_SECONDS [10]
 *   BENCH_TRICKLE [20]             messages of each kind sent one at a time through the local stack,
 *                                  and SES Delivery events put one at a time on the events queue
 *   BENCH_MESSAGES [300]           emails for the end-to-end run; BENCH_CONCURRENCY [16] POSTs in flight
 *   BENCH_ROUND_TRIP_MS [10], BENCH_SEND_MS [40]   the Lambda time model (cost.ts)
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { measureAuthCache, type AuthCacheResult } from "./auth-cache";
import { measureBundles, type BundleResult } from "./bundles";
import { costs } from "./cost";
import { measureIngestHttp, type IngestHttpResult } from "./ingest-http";
import { measureLimiter, type LimiterResult } from "./limiter";
import { measureProfile, type ProfileResult } from "./profile";
import { measureWire, type PathFigure, type WireResult } from "./wire";
import { BENCH_ROOT } from "./lib/util";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const only = new Set((process.env.BENCH_ONLY ?? "bundles,http,profile,limiter,wire,auth").split(",").map((s) => s.trim()));
const out = process.env.BENCH_OUT ?? join(BENCH_ROOT, "results", "latest.json");
const step = async <T>(name: string, run: () => Promise<T>): Promise<T | undefined> => {
  if (!only.has(name)) return undefined;
  const t = performance.now();
  process.stderr.write(`bench: ${name}...\n`);
  const result = await run();
  process.stderr.write(`bench: ${name} done in ${((performance.now() - t) / 1000).toFixed(0)} s\n`);
  return result;
};

const bundles: BundleResult | undefined = await step("bundles", () => measureBundles());
const http: IngestHttpResult | undefined = await step("http", () => measureIngestHttp());
const profile: ProfileResult | undefined = await step("profile", () => measureProfile());
const limiter: LimiterResult | undefined = await step("limiter", () => measureLimiter());
const wire: WireResult | undefined = await step("wire", () => measureWire());
const auth: AuthCacheResult | undefined = await step("auth", () => measureAuthCache());
/** A part this run did not measure, from an earlier run's results (for the costs only). */
const earlier = await (async () => {
  try {
    const { readFile } = await import("node:fs/promises");
    return JSON.parse(await readFile(process.env.BENCH_BASE ?? join(BENCH_ROOT, "results", "latest.json"), "utf8")) as { at?: string; http?: IngestHttpResult; limiter?: LimiterResult };
  } catch {
    return undefined;
  }
})();
const costHttp = http ?? earlier?.http;
const costLimiter = limiter ?? earlier?.limiter;
const borrowed = [...(http ? [] : ["http"]), ...(limiter ? [] : ["limiter"])];
const cost =
  wire && costHttp && costLimiter
    ? { ...costs(wire, costHttp, costLimiter), ...(borrowed.length > 0 && { from: `${borrowed.join(", ")} of the results of ${earlier?.at ?? "an earlier run"}` }) }
    : undefined;

type Row = { figure: string; value: string; target: string; holds: boolean | undefined };
const rows: Row[] = [];
const row = (figure: string, value: string, target = "", holds?: boolean) => rows.push({ figure, value, target, holds });
const f1 = (n: number) => n.toFixed(1);
const f2 = (n: number) => n.toFixed(2);

if (bundles) {
  const CONSUMER_KB = 400;
  const INGEST_KB = 600;
  for (const b of bundles.functions) {
    const limit = b.name === "ingest" ? INGEST_KB : CONSUMER_KB;
    row(`bundle ${b.name}`, `${f1(b.bytes / 1024)} KB`, `≤ ${limit} KB`, b.bytes <= limit * 1024);
  }
  row("bundle SDK-only (SESv2 + DynamoDB)", `${f1(bundles.sdkOnly.bytes / 1024)} KB`);
  for (const b of bundles.functions) {
    const ratio = b.initMs / bundles.sdkOnly.initMs;
    row(`init ${b.name}`, `${f1(b.initMs)} ms (${f2(ratio)}× SDK-only)`, "≤ 1.5× SDK-only", ratio <= 1.5);
  }
  row("init SDK-only / empty handler", `${f1(bundles.sdkOnly.initMs)} ms / ${f1(bundles.empty.initMs)} ms`);
}
if (http) {
  row("ingest POST /v1/messages req/s (in-memory adapters)", `${http.ingest.rps.toFixed(0)} (p50 ${http.ingest.p50Ms} ms, p99 ${http.ingest.p99Ms} ms)`);
  row("bare Hono route req/s", `${http.bare.rps.toFixed(0)} (p50 ${http.bare.p50Ms} ms, p99 ${http.bare.p99Ms} ms)`);
  row("ingest / bare Hono", `${f2(http.ratio)}×`, "≥ 0.3×", http.ratio >= 0.3);
}
if (profile) row("ingest under --cpu-prof: top self frame", `${profile.top[0]?.frame} ${profile.top[0]?.selfPercent}%`);
if (wire) {
  const list = (r: Record<string, number>) => Object.entries(r).map(([k, n]) => `${k} ${f2(n)}`).join(", ");
  const total = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
  // The path's own calls on one row; on the next two, what is apart from them: the webhook
  // fan-out (billed, its own cost part) and the stream poller's reads (not billed on AWS).
  // Fan-out invocations for a message on its own only where the messages came one at a time.
  const calls = (name: string, f: PathFigure, unit = "message", alone = true) => {
    row(`AWS calls per ${unit}, ${name}`, `${f2(f.callsTotal)}: ${list(f.calls)}`);
    const invocations = alone && f.stream ? `, ${f2(f.stream.invocationsAlone)} invocations alone (${f.stream.batchingWindowSeconds} s window)` : "";
    const stream = f.stream ? `; ${f2(f.stream.changesPerMessage)} MSG# changes${invocations}` : "";
    row("  webhook fan-out (own cost part)", `${list(f.webhookFanout.calls).replace(/DynamoDB\./g, "") || "none"} per ${unit}${stream}`);
    row("  not billed on AWS", `DynamoDBStreams.* ${f2(total(f.notBilled))} per ${unit} (Lambda's stream poller; the local one stands in)`);
  };
  calls("small email (one at a time)", wire.email);
  calls("small email (backlog)", wire.backlog, "message", false);
  calls("sms", wire.sms);
  calls("secure email", wire.secureEmail);
  calls("batch ingest (100 a request)", wire.batch, "message", false);
  calls("events path (an SES Delivery event until delivered)", wire.events, "event");
  row("AWS calls one after another in POST /v1/messages", `${f1(wire.ingestRoundTrips.sequential)} (${f1(wire.ingestRoundTrips.apiKeyReads)} of them the local API-key read)`);
  row("AWS calls one after another in POST /v1/messages/batch (100)", f1(wire.batchRoundTrips.sequential));
  // the path's own units; the fan-out's (its Query of the endpoints) after the plus
  const units = (f: PathFigure) => `${f2(f.wru ?? 0)} / ${f2(f.rru ?? 0)} (+ webhook fan-out ${f2(f.webhookFanout.wru ?? 0)} / ${f2(f.webhookFanout.rru ?? 0)})`;
  row("DynamoDB WRU/RRU per small email", units(wire.email), "≤ 3 WRU", (wire.email.wru ?? 99) <= 3);
  row(`DynamoDB WRU/RRU per ${(wire.emailLarge.requestBytes / 1000).toFixed(1)} KB ${wire.emailLarge.recipients}-recipient email`, units(wire.emailLarge));
  row("DynamoDB WRU/RRU per email, batch route", units(wire.batch));
  row("DynamoDB WRU/RRU per SES event", units(wire.events));
  row("KMS calls for 100 secure messages", String(wire.secureBatch.kmsCalls), "≤ 5", wire.secureBatch.kmsCalls <= 5);
  row(
    "end to end (local stack, moto)",
    `${f1(wire.e2e.messagesPerSecond)} msg/s; POST→sent p50 ${wire.e2e.p50Ms.toFixed(0)} ms, p99 ${wire.e2e.p99Ms.toFixed(0)} ms; accepted ${f1(wire.e2e.acceptPerSecond)}/s`,
  );
}
if (limiter) {
  row(
    `limiter, ${limiter.workers} workers`,
    `${f1(limiter.held)}/s held of ${limiter.configured}/s; ${f2(limiter.writesPerSlot)} writes per send (${f2(limiter.failedWritesPerSlot)} failed)`,
    "within 5%",
    limiter.deviation <= 0.05,
  );
}
if (cost) {
  const c = (name: string, line: { usdPerMillion: number; parts: Record<string, number> }, limit?: number) =>
    row(
      `cost per million${name} (list prices as of ${cost.prices.asOf}, ${cost.architecture})`,
      `$${f2(line.usdPerMillion)} (webhook fan-out $${f2(line.parts.webhookFanout ?? 0)})`,
      limit === undefined ? "" : `≤ $${f2(limit)}`,
      limit === undefined ? undefined : line.usdPerMillion <= limit,
    );
  c(", small email, one per request, trickle", cost.smallEmailTrickle, 3);
  c(", small email, one per request, backlog", cost.smallEmailBacklog, 3);
  c(", small email, batch route", cost.smallEmailBatchRoute, 1.5);
  c(", 4.6 KB 3-recipient email", cost.largeEmailTrickle, 5);
  c(" SES events", cost.sesEvent);
  if (cost.from) row("  costs took", cost.from);
}
if (auth) row("OAuth introspection calls", `${auth.introspectionCalls} for ${auth.requests} requests with ${auth.tokens} tokens; cached ${f1(auth.cachedMicroseconds)} µs`);

const result = {
  at: new Date().toISOString(),
  node: process.version,
  machine: { cpus: (await import("node:os")).cpus().length },
  bundles,
  http,
  profile,
  limiter,
  wire,
  auth,
  cost,
  table: rows,
};
await mkdir(dirname(out), { recursive: true });
await writeFile(out, `${JSON.stringify(result, null, 2)}\n`);

const width = (k: keyof Row) => Math.min(90, Math.max(...rows.map((r) => String(r[k] ?? "").length), k.length));
const [wf, wv, wt] = [width("figure"), width("value"), width("target")];
const clip = (s: string, w: number) => (s.length > w ? `${s.slice(0, w - 1)}…` : s.padEnd(w));
console.log(`${clip("figure", wf)}  ${clip("value", wv)}  ${clip("target", wt)}  holds`);
for (const r of rows) console.log(`${clip(r.figure, wf)}  ${clip(r.value, wv)}  ${clip(r.target, wt)}  ${r.holds === undefined ? "" : r.holds ? "yes" : "NO"}`);
console.log(`\nwritten: ${out}`);
