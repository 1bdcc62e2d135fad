/**
 * The ingest app's own cost per request, without the network or AWS: the Hono app with in-memory
 * adapters (lib/memory-app.ts), driven through app.request() on one core, logging at INFO as on
 * Lambda (its lines go to stdout; run it with stdout to /dev/null). Writes its figure as JSON
 * to BENCH_OUT. Run under `node --cpu-prof` (profile.ts does) to see where the time goes.
 *
 *   node --import tsx src/ingest-cpu.ts > /dev/null
 */
import { writeFileSync } from "node:fs";
import { memoryIngestApp, SMALL_EMAIL } from "./lib/memory-app";

const N = Number(process.env.BENCH_REQUESTS ?? 20_000);
const { app, key } = await memoryIngestApp(process.env.BENCH_LOG_LEVEL ?? "INFO");
const body = JSON.stringify(SMALL_EMAIL);
const headers = { "content-type": "application/json", "x-api-key": key };

for (let i = 0; i < 2000; i++) await app.request("/v1/messages", { method: "POST", headers, body }); // warm-up
const started = performance.now();
for (let i = 0; i < N; i++) {
  const response = await app.request("/v1/messages", { method: "POST", headers, body });
  if (response.status !== 202) throw new Error(`status ${response.status}`);
}
const ms = performance.now() - started;
const result = { requests: N, perSecond: N / (ms / 1000), microsecondsPerRequest: (ms * 1000) / N };
if (process.env.BENCH_OUT) writeFileSync(process.env.BENCH_OUT, JSON.stringify(result));
else process.stderr.write(`${JSON.stringify(result)}\n`);
