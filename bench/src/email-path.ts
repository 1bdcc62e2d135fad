/**
 * npm run bench: the email path as users run it. Starts moto behind a counting proxy, runs the
 * local stack (ingest server + email worker processes) against it, POSTs N emails with C in
 * flight, waits until every one is `sent`, and reports accept latency, throughput, drain time and
 * the AWS calls per message (what a message costs on AWS).
 *
 *   BENCH_MESSAGES=1000 BENCH_CONCURRENCY=16 npm run bench
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startAwsProxy, startMoto, stopChild } from "@herald/testing";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const N = Number(process.env.BENCH_MESSAGES ?? 500);
const C = Number(process.env.BENCH_CONCURRENCY ?? 16);

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

async function main() {
  const moto = await startMoto();
  const proxy = await startAwsProxy({ target: moto.endpoint });
  const stateDir = await mkdtemp(join(tmpdir(), "herald-bench-"));
  const stack = spawn(process.execPath, ["--import", "tsx", "services/local/src/start.ts"], {
    cwd: ROOT,
    env: { ...process.env, AWS_ENDPOINT_URL: proxy.endpoint, HERALD_STATE_DIR: stateDir, HERALD_PORT: "0", HERALD_LOG_LEVEL: "WARN" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  stack.stdout?.on("data", (c: Buffer) => (output += c.toString()));
  try {
    const deadline = Date.now() + 60_000;
    while (!output.includes("Ctrl-C stops everything")) {
      if (Date.now() > deadline || stack.exitCode !== null) throw new Error(`stack did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const local = JSON.parse(await readFile(join(stateDir, "local.json"), "utf8")) as { url: string; apiKey: string };
    const headers = { "content-type": "application/json", "x-api-key": local.apiKey };
    proxy.counts.clear();

    // Accept: N POSTs, C in flight.
    const ids: string[] = [];
    const latencies: number[] = [];
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: C }, async () => {
        while (next < N) {
          const i = next++;
          const t0 = performance.now();
          const response = await fetch(`${local.url}/v1/messages`, {
            method: "POST",
            headers,
            body: JSON.stringify({ channel: "email", to: `user${i}@example.com`, subject: `Bench ${i}`, text: "Benchmark body." }),
          });
          latencies.push(performance.now() - t0);
          if (response.status !== 202) throw new Error(`POST ${response.status}: ${await response.text()}`);
          ids.push(((await response.json()) as { id: string }).id);
        }
      }),
    );
    const acceptSeconds = (performance.now() - started) / 1000;
    const ingestCounts = new Map(proxy.counts);

    // Drain: until every message is sent.
    const pending = new Set(ids);
    while (pending.size > 0) {
      for (const id of [...pending].slice(0, 50)) {
        const r = await fetch(`${local.url}/v1/messages/${id}`, { headers });
        const body = (await r.json()) as { status: string };
        if (body.status === "sent") pending.delete(id);
        else if (["failed", "dead_lettered"].includes(body.status)) throw new Error(`message ${id} ${body.status}`);
      }
      if (performance.now() - started > 600_000) throw new Error("drain took over 10 minutes");
    }
    const totalSeconds = (performance.now() - started) / 1000;

    latencies.sort((a, b) => a - b);
    const perMessage = (counts: Map<string, number>, exclude: (op: string) => boolean = () => false) =>
      [...counts.entries()]
        .filter(([op]) => !exclude(op))
        .sort()
        .map(([op, n]) => `${op}=${(n / N).toFixed(2)}`)
        .join(" ");
    const consumerCounts = new Map([...proxy.counts].map(([op, n]) => [op, n - (ingestCounts.get(op) ?? 0)]));
    console.log(`messages ${N}, concurrency ${C}, node ${process.version}, moto behind a counting proxy`);
    console.log(`accept: ${(N / acceptSeconds).toFixed(0)} msg/s; latency p50 ${percentile(latencies, 50).toFixed(1)} ms, p95 ${percentile(latencies, 95).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms`);
    console.log(`accepted → all sent: ${totalSeconds.toFixed(1)} s (${(N / totalSeconds).toFixed(0)} msg/s end to end)`);
    console.log(`AWS calls per message at ingest: ${perMessage(ingestCounts)}`);
    console.log(`AWS calls per message in the consumer (ReceiveMessage includes empty polls; GetItem includes this bench's status polling): ${perMessage(consumerCounts, (op) => op.startsWith("GET /moto-api"))}`);
  } finally {
    await stopChild(stack);
    await proxy.stop();
    await moto.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
