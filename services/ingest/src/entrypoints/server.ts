import { serve } from "@hono/node-server";
import { announceReady, loadConfigOrExit } from "@herald/platform";
import { createApp } from "../app";
import { loadConfig } from "../config";
import { buildDeps } from "../deps";

const config = loadConfigOrExit(loadConfig);
const deps = buildDeps(config);
const app = createApp(deps);

const server = serve({ fetch: app.fetch, hostname: config.host, port: config.port }, (info) => {
  deps.logger.info("listening", { url: `http://${config.host}:${info.port}` });
  announceReady();
});

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    deps.logger.info("stopping", { signal });
    server.close(() => process.exit(0));
    // Keep-alive connections can hold close() open; do not outstay the supervisor's patience.
    setTimeout(() => process.exit(0), 5000).unref();
  });
}
