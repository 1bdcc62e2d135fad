import { X509Certificate } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { isIP } from "node:net";
import { resolve } from "node:path";
import { InfraConfigError, int, isHttpsUrl, text, type Env } from "./env";

/*
 * The email consumer's transports (HERALD_EMAIL_TRANSPORTS, HERALD_SMTP_*, the breaker), checked
 * as services/email checks them (src/config.ts, src/smtp-config.ts), so a mistake stops
 * `sst deploy` with one line instead of every consumer start. Stricter than the service where
 * Lambda makes a setting useless: port 25 (AWS blocks it from Lambda), plain-http token URLs
 * (no localhost on Lambda), a CA file without TLS. The SMTP password and the OAuth client secret
 * are not settings at all: they live in Secrets Manager (infra/secrets.ts).
 */

export const EMAIL_TRANSPORTS = ["ses", "smtp"] as const;
export type EmailTransport = (typeof EMAIL_TRANSPORTS)[number];

export const SMTP_TLS_MODES = ["starttls", "implicit", "none"] as const;
export type SmtpTlsMode = (typeof SMTP_TLS_MODES)[number];

/** The services' defaults: 25 for an open relay without TLS, which Lambda cannot reach. */
const DEFAULT_PORTS: Record<SmtpTlsMode, number> = { starttls: 587, implicit: 465, none: 25 };

/** Every non-secret SMTP setting: all are refused without smtp among the transports. */
const SMTP_SETTINGS = [
  "HERALD_SMTP_HOST",
  "HERALD_SMTP_PORT",
  "HERALD_SMTP_TLS",
  "HERALD_SMTP_CA_FILE",
  "HERALD_SMTP_USER",
  "HERALD_SMTP_OAUTH_TOKEN_URL",
  "HERALD_SMTP_OAUTH_CLIENT_ID",
  "HERALD_SMTP_OAUTH_SCOPE",
] as const;

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const USER = /^[^\s\u0000-\u001f]{1,256}$/;
/** RFC 6749 §3.3: space-separated scope tokens. */
const SCOPE = /^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/;
const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** SES's own SMTP interface: it too sends only from verified SES identities. */
export const SES_SMTP_HOST = /^email-smtp(-fips)?\.[a-z0-9-]+\.amazonaws\.com$/;

/**
 * How the consumer authenticates to the relay, decided here: the OAuth token URL means XOAUTH2,
 * else a user means AUTH with a password, else an open relay. Each decides which secret exists.
 */
export type SmtpAuth =
  | { mode: "none" }
  | { mode: "password"; user: string }
  | { mode: "oauth"; user: string; tokenUrl: string; clientId: string; scope: string | undefined };

export type SmtpConfig = {
  host: string;
  port: number;
  tls: SmtpTlsMode;
  /** Absolute path of the PEM bundle on the deploying machine; bundled into the function. */
  caFile: string | undefined;
  auth: SmtpAuth;
};

export type EmailConfig = {
  /** In order of preference, never empty: the first is the primary, the others its failover. */
  transports: EmailTransport[];
  /** Set exactly when smtp is among the transports. */
  smtp: SmtpConfig | undefined;
  breaker: { failures: number; cooldownSeconds: number };
};

/** `root`: where relative paths start, the directory of sst.config.ts (as SST's copyFiles). */
export function emailConfig(env: Env, root: string): EmailConfig {
  const transports = transportList(env);
  const breaker = {
    failures: int(env, "HERALD_EMAIL_BREAKER_FAILURES", 5, 1, 1000),
    cooldownSeconds: int(env, "HERALD_EMAIL_BREAKER_COOLDOWN_SECONDS", 30, 1, 3600),
  };
  if (!transports.includes("smtp")) {
    const orphan = SMTP_SETTINGS.find((name) => text(env, name) !== undefined);
    if (orphan !== undefined) throw new InfraConfigError(orphan, "has no effect without smtp in HERALD_EMAIL_TRANSPORTS");
    return { transports, smtp: undefined, breaker };
  }
  return { transports, smtp: smtpConfig(env, root), breaker };
}

/** Default as the service's: smtp when a relay is configured, else ses. */
function transportList(env: Env): EmailTransport[] {
  const name = "HERALD_EMAIL_TRANSPORTS";
  const raw = text(env, name);
  if (raw === undefined) return text(env, "HERALD_SMTP_HOST") === undefined ? ["ses"] : ["smtp"];
  const items = raw.split(",").map((item) => item.trim());
  if (items.includes("")) throw new InfraConfigError(name, "has an empty entry; give ses, smtp, ses,smtp or smtp,ses");
  const transports: EmailTransport[] = [];
  for (const item of items) {
    const transport = EMAIL_TRANSPORTS.find((t) => t === item);
    if (transport === undefined) {
      throw new InfraConfigError(name, `"${item}" is not a transport; give ses, smtp, ses,smtp or smtp,ses`);
    }
    if (transports.includes(transport)) throw new InfraConfigError(name, `names ${transport} twice`);
    transports.push(transport);
  }
  return transports;
}

function smtpConfig(env: Env, root: string): SmtpConfig {
  const host = text(env, "HERALD_SMTP_HOST");
  if (host === undefined) {
    throw new InfraConfigError("HERALD_SMTP_HOST", "is required when smtp is in HERALD_EMAIL_TRANSPORTS");
  }
  if (!HOSTNAME.test(host) && isIP(host) === 0) {
    throw new InfraConfigError("HERALD_SMTP_HOST", "must be a host name or an IP address, without scheme or port");
  }
  const tls = tlsMode(env);
  const auth = smtpAuth(env);
  if (tls === "none" && auth.mode !== "none") {
    throw new InfraConfigError(
      "HERALD_SMTP_TLS",
      "none is for an open relay only: with HERALD_SMTP_USER set use starttls or implicit, or the credentials cross the internet in clear",
    );
  }
  return { host, port: port(env, tls), tls, caFile: caFile(env, root, tls), auth };
}

function tlsMode(env: Env): SmtpTlsMode {
  const value = text(env, "HERALD_SMTP_TLS") ?? "starttls";
  const mode = SMTP_TLS_MODES.find((m) => m === value);
  if (mode === undefined) throw new InfraConfigError("HERALD_SMTP_TLS", "must be starttls, implicit or none");
  return mode;
}

/** AWS blocks outbound TCP port 25 from Lambda functions: a relay there is never reached. */
function port(env: Env, tls: SmtpTlsMode): number {
  const name = "HERALD_SMTP_PORT";
  const value = int(env, name, DEFAULT_PORTS[tls], 1, 65535);
  if (value === 25) {
    const given = text(env, name) === undefined ? "is 25 by default with HERALD_SMTP_TLS=none, but" : "is 25:";
    throw new InfraConfigError(
      name,
      `${given} AWS blocks outbound port 25 from Lambda; use 587 (STARTTLS) or 465 (implicit TLS)`,
    );
  }
  return value;
}

function smtpAuth(env: Env): SmtpAuth {
  const user = text(env, "HERALD_SMTP_USER");
  if (user !== undefined && !USER.test(user)) {
    throw new InfraConfigError("HERALD_SMTP_USER", "must be a user name without spaces or control characters (at most 256)");
  }
  const tokenUrl = text(env, "HERALD_SMTP_OAUTH_TOKEN_URL");
  if (tokenUrl === undefined) {
    const orphan = (["HERALD_SMTP_OAUTH_CLIENT_ID", "HERALD_SMTP_OAUTH_SCOPE"] as const).find((name) => text(env, name) !== undefined);
    if (orphan !== undefined) throw new InfraConfigError(orphan, "has no effect without HERALD_SMTP_OAUTH_TOKEN_URL");
    return user === undefined ? { mode: "none" } : { mode: "password", user };
  }
  if (!isHttpsUrl(tokenUrl)) throw new InfraConfigError("HERALD_SMTP_OAUTH_TOKEN_URL", "must be an https URL");
  const clientId = text(env, "HERALD_SMTP_OAUTH_CLIENT_ID");
  if (clientId === undefined) {
    throw new InfraConfigError("HERALD_SMTP_OAUTH_CLIENT_ID", "is required with HERALD_SMTP_OAUTH_TOKEN_URL (XOAUTH2)");
  }
  if (user === undefined) {
    throw new InfraConfigError("HERALD_SMTP_USER", "is required with HERALD_SMTP_OAUTH_TOKEN_URL: the mailbox XOAUTH2 sends as");
  }
  const scope = text(env, "HERALD_SMTP_OAUTH_SCOPE");
  if (scope !== undefined && !SCOPE.test(scope)) {
    throw new InfraConfigError("HERALD_SMTP_OAUTH_SCOPE", "must be space-separated scope tokens (RFC 6749 section 3.3)");
  }
  return { mode: "oauth", user, tokenUrl, clientId, scope };
}

/**
 * Checked here because the consumer reads the file at start-up: a bad one would fail every cold
 * start. The message names the path as given, never the content.
 */
function caFile(env: Env, root: string, tls: SmtpTlsMode): string | undefined {
  const name = "HERALD_SMTP_CA_FILE";
  const given = text(env, name);
  if (given === undefined) return undefined;
  if (tls === "none") throw new InfraConfigError(name, "has no effect with HERALD_SMTP_TLS=none");
  const path = resolve(root, given);
  let pem: string;
  try {
    if (!statSync(path).isFile()) throw new InfraConfigError(name, `${given} is not a file`);
    pem = readFileSync(path, "utf8");
  } catch (error) {
    if (error instanceof InfraConfigError) throw error;
    const code = error instanceof Error && "code" in error ? String(error.code) : "error";
    throw new InfraConfigError(name, `cannot read ${given} (${code}); relative paths start at the directory of sst.config.ts`);
  }
  const blocks = pem.match(PEM_BLOCK) ?? [];
  if (blocks.length === 0) throw new InfraConfigError(name, `${given} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  blocks.forEach((block, i) => {
    try {
      new X509Certificate(block);
    } catch {
      throw new InfraConfigError(name, `certificate ${i + 1} in ${given} cannot be parsed`);
    }
  });
  return path;
}
