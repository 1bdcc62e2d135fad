import { z } from "zod";

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/**
 * Parses environment variables with a zod object schema. A bad setting becomes one line naming
 * the variable: "HERALD_PORT: must be a number".
 */
export function parseEnv<S extends z.ZodType>(schema: S, env: Record<string, string | undefined>): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `${issue.path.join(".") || "environment"}: ${issue.message}`);
  throw new ConfigError(`invalid configuration: ${lines.join("; ")}`);
}

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

/** Shared building blocks for services' config schemas. */
export const env = {
  required: (what = "is required") => z.string({ error: what }).min(1, { error: what }),
  list: () =>
    z
      .string()
      .default("")
      .transform((v) =>
        v
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean),
      ),
  int: (fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
    z.coerce
      .number({ error: "must be a number" })
      .int({ error: "must be an integer" })
      .min(min, { error: `must be at least ${min}` })
      .max(max, { error: `must be at most ${max}` })
      .default(fallback),
  logLevel: () => z.enum(["DEBUG", "INFO", "WARN", "ERROR", "SILENT", "debug", "info", "warn", "error", "silent"]).default("INFO"),
};

/** The settings every delivering consumer (email, sms) shares, parsed from the same variables. */
export const DeliveryEnv = z.object({
  /** How long a claim holds before another worker may retake it; well above one send's timeout. */
  HERALD_CLAIM_LEASE_SECONDS: env.int(120, 10, 3600),
  /** The queue's maxReceiveCount: on the last receive a still-failing message is marked dead_lettered. */
  HERALD_MAX_RECEIVES: env.int(5, 1, 1000),
  HERALD_SEND_TIMEOUT_MS: env.int(10_000, 100, 120_000),
  HERALD_WORKER_BATCH_SIZE: env.int(10, 1, 10),
  HERALD_LOG_LEVEL: env.logLevel(),
});

export type DeliverySettings = {
  claimLeaseSeconds: number;
  maxReceives: number;
  sendTimeoutMs: number;
  workerBatchSize: number;
  logLevel: string;
};

export function deliverySettings(e: z.infer<typeof DeliveryEnv>): DeliverySettings {
  return {
    claimLeaseSeconds: e.HERALD_CLAIM_LEASE_SECONDS,
    maxReceives: e.HERALD_MAX_RECEIVES,
    sendTimeoutMs: e.HERALD_SEND_TIMEOUT_MS,
    workerBatchSize: e.HERALD_WORKER_BATCH_SIZE,
    logLevel: e.HERALD_LOG_LEVEL,
  };
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
