import { announceReady, loadConfigOrExit } from "@herald/platform";
import { loadConfig } from "../config";
import { buildDeps } from "../deps";
import { sweepDeadLetters } from "../domain/sweep";

// The local twin of the scheduled Lambda (`npm start` runs it): a sweep every
// HERALD_DEAD_LETTER_SWEEP_SECONDS until SIGINT or SIGTERM, which lets the sweep in hand finish.
const config = loadConfigOrExit(() => loadConfig());
const deps = buildDeps(config);
let stopping = false;
let wake: (() => void) | undefined;

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    deps.logger.info("stopping", { signal });
    stopping = true;
    wake?.();
  });
}

deps.logger.info("dead-letter sweeper started", { everyMs: config.sweepIntervalMs, channels: deps.queues.map((q) => q.channel) });
announceReady();
while (!stopping) {
  await sweepDeadLetters(deps, () => !stopping).catch((error: unknown) =>
    deps.logger.error("sweep failed", { error: error instanceof Error ? error.name : "unknown" }),
  );
  // The timer keeps the process alive between sweeps; a signal ends the wait at once.
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, config.sweepIntervalMs);
    wake = () => {
      clearTimeout(timer);
      resolve();
    };
  });
}
process.exit(0);
