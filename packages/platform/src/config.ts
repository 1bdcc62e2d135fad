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
