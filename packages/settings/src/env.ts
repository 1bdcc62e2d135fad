import * as z from "zod";

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/**
 * One bad setting: the variable (a list entry adds its index: HERALD_CORS_ORIGINS.0) and what is
 * wrong with it. Never the value, which may be a secret.
 */
export type Issue = { path: string; message: string };

export function issuesOf(error: z.ZodError): Issue[] {
  return error.issues.map((issue) => ({ path: issue.path.join(".") || "environment", message: issue.message }));
}

/** "HERALD_PORT: must be a number; HERALD_TABLE_NAME: is required": one line, every problem. */
export function formatIssues(issues: readonly Issue[]): string {
  return issues.map((issue) => `${issue.path}: ${issue.message}`).join("; ");
}

/**
 * Parses environment variables with a zod object schema. A bad setting becomes one line naming
 * the variable: "HERALD_PORT: must be a number".
 */
export function parseEnv<S extends z.ZodType>(schema: S, env: Record<string, string | undefined>): z.infer<S> {
  // jitless: parsed once per process, so zod's compiled fast path (new Function per object
  // schema, ~1 ms of a cold start for the env schemas) would never pay for itself
  const result = schema.safeParse(env, { jitless: true });
  if (result.success) return result.data;
  throw new ConfigError(`invalid configuration: ${formatIssues(issuesOf(result.error))}`);
}

/**
 * A cross-field rule, written once as a function of the parsed values, as a zod refinement: the
 * services put it on their schema, infra calls the function itself on what it will deploy.
 */
export function addIssues<T>(rule: (e: T) => Issue[]): (e: T, ctx: z.RefinementCtx) => void {
  return (e, ctx) => {
    for (const issue of rule(e)) ctx.addIssue({ code: "custom", path: [issue.path], message: issue.message });
  };
}

export const LOG_LEVELS = ["DEBUG", "INFO", "WARN", "ERROR", "SILENT"] as const;

const blankAsUnset = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);

const integer = (min: number, max: number) =>
  z.coerce
    .number({ error: "must be a number" })
    .int({ error: "must be an integer" })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });

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
  int: (fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER) => integer(min, max).default(fallback),
  /** Upper or lower case, as given. */
  logLevel: () =>
    z
      .enum(["DEBUG", "INFO", "WARN", "ERROR", "SILENT", "debug", "info", "warn", "error", "silent"], {
        error: `must be one of ${LOG_LEVELS.join(", ")}`,
      })
      .default("INFO"),
  /** An optional setting; blank counts as unset. */
  optional: <T extends z.ZodType>(schema: T) => z.preprocess(blankAsUnset, schema.optional()),
  /** An optional integer whose default depends on other settings (so not int's fixed one). */
  optionalInt: (min: number, max: number) => z.preprocess(blankAsUnset, integer(min, max).optional()),
};
