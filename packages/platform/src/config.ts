import { ConfigError } from "@herald/settings";

// The env schema helpers live in @herald/settings, shared with infra; re-exported for the
// services' and packages' existing imports.
export { ConfigError, env, parseEnv } from "@herald/settings";

/** For local entry points: print the one line and exit, instead of a stack trace. */
export function loadConfigOrExit<T>(load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`herald: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

/**
 * Tells a supervising process (`npm start`) that this service is up, over the IPC channel it was
 * started with; nothing without one (Lambda, a worker run by hand). The channel is then let go of,
 * so it never keeps the process alive.
 */
export function announceReady(): void {
  if (typeof process.send !== "function") return;
  process.send({ type: "herald.ready" });
  process.channel?.unref();
}
