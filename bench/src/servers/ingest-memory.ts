/**
 * The ingest app (in-memory adapters, logging at INFO to stdout, as on Lambda) behind
 * @hono/node-server, as services/ingest/src/entrypoints/server.ts serves it. Prints
 * `{"url","key"}` on its first line once listening.
 */
import { serve } from "@hono/node-server";
import { memoryIngestApp } from "../lib/memory-app";

const { app, key } = await memoryIngestApp(process.env.BENCH_LOG_LEVEL ?? "INFO");
serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, (info) => {
  process.stderr.write(`${JSON.stringify({ url: `http://127.0.0.1:${info.port}`, key })}\n`);
});
// exit (not die) on SIGTERM, so `node --cpu-prof` writes its profile
process.once("SIGTERM", () => process.exit(0));
