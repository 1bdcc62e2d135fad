/**
 * The floor to compare ingest against: a bare Hono route on @hono/node-server that reads the
 * JSON body and answers 202 with a small JSON body, nothing else. Prints `{"url"}` once listening.
 */
import { serve } from "@hono/node-server";
import { Hono } from "hono";

const app = new Hono();
let n = 0;
app.post("/v1/messages", async (c) => {
  const body = (await c.req.json()) as { channel?: string };
  return c.json({ id: String(++n), status: "queued", channel: body.channel, created_at: new Date().toISOString() }, 202);
});
serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, (info) => {
  process.stderr.write(`${JSON.stringify({ url: `http://127.0.0.1:${info.port}` })}\n`);
});
