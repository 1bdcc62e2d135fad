/**
 * POST /v1/messages through the ingest Node server (in-memory adapters: the app's own cost, not
 * the emulator's) against a bare Hono route, both measured in this run with autocannon from
 * this process while the server runs in its own: requests/s and latency p50/p99, and the ratio.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import autocannon from "autocannon";
import { stopChild } from "@herald/testing";
import { BENCH_ROOT } from "./lib/util";
import { SMALL_EMAIL } from "./lib/memory-app";

export type HttpFigure = { rps: number; p50Ms: number; p99Ms: number; requests: number; non2xx: number };
export type IngestHttpResult = { ingest: HttpFigure; bare: HttpFigure; ratio: number; seconds: number; connections: number };

export async function startServer(file: string, nodeArgs: string[] = []): Promise<{ child: ChildProcess; url: string; key?: string }> {
  const child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", join(BENCH_ROOT, "src", "servers", file)], {
    cwd: BENCH_ROOT,
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, NODE_ENV: "production" },
  });
  let err = "";
  return new Promise((resolve, reject) => {
    child.stderr?.on("data", (c: Buffer) => {
      err += c.toString();
      const line = err.split("\n")[0];
      if (line && err.includes("\n")) {
        try {
          resolve({ child, ...(JSON.parse(line) as { url: string; key?: string }) });
        } catch {
          reject(new Error(`${file}: ${err}`));
        }
      }
    });
    child.once("exit", (code) => reject(new Error(`${file} exited ${code}: ${err}`)));
  });
}

export async function load(url: string, headers: Record<string, string>, seconds: number, connections: number): Promise<HttpFigure> {
  const result = await autocannon({
    url: `${url}/v1/messages`,
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(SMALL_EMAIL),
    connections,
    duration: seconds,
  });
  return {
    rps: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
  };
}

async function measure(file: string, seconds: number, connections: number): Promise<HttpFigure> {
  const server = await startServer(file);
  try {
    const headers: Record<string, string> = server.key ? { "x-api-key": server.key } : {};
    await load(server.url, headers, Math.max(2, Math.round(seconds / 3)), connections); // warm-up (JIT)
    return await load(server.url, headers, seconds, connections);
  } finally {
    await stopChild(server.child);
  }
}

export async function measureIngestHttp(
  seconds = Number(process.env.BENCH_HTTP_SECONDS ?? 10),
  connections = Number(process.env.BENCH_HTTP_CONNECTIONS ?? 16),
): Promise<IngestHttpResult> {
  const bare = await measure("bare-hono.ts", seconds, connections);
  const ingest = await measure("ingest-memory.ts", seconds, connections);
  if (ingest.non2xx > 0) throw new Error(`ingest answered ${ingest.non2xx} requests with a non-2xx status`);
  return { ingest, bare, ratio: ingest.rps / bare.rps, seconds, connections };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await measureIngestHttp(), null, 2));
