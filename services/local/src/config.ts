import { fileURLToPath } from "node:url";
import { join } from "node:path";
import * as z from "zod";
import { EmailAddress } from "@herald/contracts";
import { loadOAuthSettings, loadRateLimit } from "@herald/auth";
import { env, parseEnv } from "@herald/platform";

export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

const LocalEnv = z.object({
  /** When set, the stack uses this emulator (or AWS endpoint) and starts none of its own. */
  AWS_ENDPOINT_URL: z.url({ error: "must be a URL" }).optional(),
  HERALD_STATE_DIR: z.string().min(1).optional(),
  HERALD_HOST: z.string().default("127.0.0.1"),
  /** The ingest API's port; 0 picks a free one. */
  HERALD_PORT: env.int(8787, 0, 65535),
  /** moto_server's port; 0 picks a free one. */
  HERALD_EMULATOR_PORT: env.int(0, 0, 65535),
  HERALD_RESOURCE_PREFIX: z.string().regex(/^[a-z0-9-]{1,40}$/, { error: "must be 1-40 of a-z 0-9 -" }).default("herald"),
  HERALD_EMAIL_FROM: EmailAddress.default("noreply@herald.local"),
  HERALD_EMAIL_SENDERS: env.list(),
  HERALD_MAX_RECEIVES: env.int(5, 1, 1000),
  HERALD_LOG_LEVEL: env.logLevel(),
  // Read here only to print them; the ingest and email services parse and apply them.
  HERALD_CORS_ORIGINS: env.list(),
  HERALD_EMAIL_TRANSPORTS: env.list(),
  HERALD_SMTP_HOST: z.string().optional(),
  HERALD_SMTP_PORT: z.string().optional(),
});

export type LocalConfig = ReturnType<typeof loadLocalConfig>;

export function loadLocalConfig(source: Record<string, string | undefined> = process.env) {
  const e = parseEnv(LocalEnv, source);
  return {
    endpoint: e.AWS_ENDPOINT_URL,
    stateDir: e.HERALD_STATE_DIR ?? join(REPO_ROOT, ".herald"),
    host: e.HERALD_HOST,
    port: e.HERALD_PORT,
    emulatorPort: e.HERALD_EMULATOR_PORT,
    prefix: e.HERALD_RESOURCE_PREFIX,
    sender: e.HERALD_EMAIL_FROM,
    senders: [e.HERALD_EMAIL_FROM, ...e.HERALD_EMAIL_SENDERS],
    maxReceives: e.HERALD_MAX_RECEIVES,
    logLevel: e.HERALD_LOG_LEVEL,
    /** Checked before anything starts, so a bad OAuth setting is one line, not a crashed service. */
    oauth: loadOAuthSettings(source),
    rateLimit: loadRateLimit(source),
    corsOrigins: e.HERALD_CORS_ORIGINS,
    email: {
      // As services/email defaults it: the relay alone once one is configured.
      transports: e.HERALD_EMAIL_TRANSPORTS.length > 0 ? e.HERALD_EMAIL_TRANSPORTS : e.HERALD_SMTP_HOST ? ["smtp"] : ["ses"],
      relay: e.HERALD_SMTP_HOST && `${e.HERALD_SMTP_HOST}${e.HERALD_SMTP_PORT ? `:${e.HERALD_SMTP_PORT}` : ""}`,
    },
    /** Everything else in the environment, passed on to the services (AWS_*, HERALD_*). */
    passthrough: source,
  };
}

/**
 * The AWS SDK warns, once per process, that its releases after January 2027 need Node 22; Lambda
 * runs 22, and the local tools' own clients need not repeat it at every start (the services get
 * the same setting from emulatorEnv).
 */
export function quietSdkNodeWarning(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
}
