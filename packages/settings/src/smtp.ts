import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import * as z from "zod";
import { env, type Issue } from "./env";
import { OAuthEndpointUrl } from "./oauth";
import { SecretSettingEnv, type SecretSetting } from "./secrets";

/*
 * The SMTP relay settings (HERALD_SMTP_*), checked as a whole: a half-configured set stops
 * start-up (services/email) or the deploy (infra) with one line naming the missing variable,
 * never a silent downgrade to no TLS or no AUTH.
 */

const { optional, optionalInt } = env;

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const IP = /^(\d{1,3}(\.\d{1,3}){3}|\[?[0-9A-Fa-f:]+\]?)$/;

export const SMTP_TLS_MODES = ["starttls", "implicit", "none"] as const;
export type SmtpTlsMode = (typeof SMTP_TLS_MODES)[number];

/** The port when HERALD_SMTP_PORT is not given. */
export const SMTP_DEFAULT_PORTS: Record<SmtpTlsMode, number> = { starttls: 587, implicit: 465, none: 25 };

export const SmtpEnv = z.object({
  HERALD_SMTP_HOST: optional(z.string().refine((h) => HOSTNAME.test(h) || IP.test(h), "must be a host name or an IP address")),
  HERALD_SMTP_PORT: optionalInt(1, 65535),
  HERALD_SMTP_TLS: optional(z.enum(SMTP_TLS_MODES, { error: "must be starttls, implicit or none" })),
  HERALD_SMTP_CA_FILE: optional(z.string()),
  HERALD_SMTP_USER: optional(z.string().regex(/^[^\s\u0000-\u001f]{1,256}$/, "must be a user name without spaces or control characters")),
  HERALD_SMTP_PASSWORD: SecretSettingEnv,
  HERALD_SMTP_OAUTH_TOKEN_URL: optional(OAuthEndpointUrl),
  HERALD_SMTP_OAUTH_CLIENT_ID: optional(z.string()),
  HERALD_SMTP_OAUTH_CLIENT_SECRET: SecretSettingEnv,
  /** A pooled connection unused this long is closed (QUIT); relays drop idle sessions themselves too. */
  HERALD_SMTP_IDLE_TIMEOUT_SECONDS: optionalInt(1, 600),
  HERALD_SMTP_OAUTH_SCOPE: optional(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/, "must be space-separated scope tokens (RFC 6749 §3.3)")),
});
export type SmtpEnv = z.infer<typeof SmtpEnv>;

export const SMTP_VARIABLES = Object.keys(SmtpEnv.shape) as (keyof SmtpEnv)[];
const OAUTH_VARIABLES = [
  "HERALD_SMTP_OAUTH_TOKEN_URL",
  "HERALD_SMTP_OAUTH_CLIENT_ID",
  "HERALD_SMTP_OAUTH_CLIENT_SECRET",
] as const satisfies readonly (keyof SmtpEnv)[];

export type SmtpAuthSettings =
  | { kind: "none" }
  | { kind: "password"; user: string; password: SecretSetting }
  | {
      kind: "oauth";
      /** The mailbox the token is for, sent in the XOAUTH2 string. */
      user: string;
      tokenUrl: string;
      clientId: string;
      clientSecret: SecretSetting;
      scope: string | undefined;
    };

export type SmtpSettings = {
  host: string;
  port: number;
  tls: SmtpTlsMode;
  /** PEM certificates trusted in addition to the system's roots (HERALD_SMTP_CA_FILE). */
  extraCa: string[];
  caFile: string | undefined;
  auth: SmtpAuthSettings;
  idleTimeoutMs: number;
};

/**
 * The cross-field rules. Returns problems rather than throwing so the caller can report them with
 * every other bad setting in one line.
 */
export function smtpIssues(e: SmtpEnv, smtpEnabled: boolean): Issue[] {
  const set = SMTP_VARIABLES.filter((name) => e[name] !== undefined);
  if (!smtpEnabled) {
    return set.map((name) => ({ path: name, message: "has no effect without smtp in HERALD_EMAIL_TRANSPORTS" }));
  }
  const issues: Issue[] = [];
  if (e.HERALD_SMTP_HOST === undefined) issues.push({ path: "HERALD_SMTP_HOST", message: "is required when smtp is in HERALD_EMAIL_TRANSPORTS" });
  const oauthSet = OAUTH_VARIABLES.filter((name) => e[name] !== undefined);
  const oauthAny = oauthSet.length > 0 || e.HERALD_SMTP_OAUTH_SCOPE !== undefined;
  if (oauthAny) {
    const given = oauthSet[0] ?? "HERALD_SMTP_OAUTH_SCOPE";
    for (const name of OAUTH_VARIABLES) {
      if (e[name] === undefined) issues.push({ path: name, message: `is required with ${given} (XOAUTH2)` });
    }
    if (e.HERALD_SMTP_USER === undefined) issues.push({ path: "HERALD_SMTP_USER", message: "is required with XOAUTH2: the mailbox to send as" });
  }
  if (e.HERALD_SMTP_PASSWORD !== undefined && e.HERALD_SMTP_USER === undefined) {
    issues.push({ path: "HERALD_SMTP_USER", message: "is required with HERALD_SMTP_PASSWORD" });
  }
  if (e.HERALD_SMTP_USER !== undefined && e.HERALD_SMTP_PASSWORD === undefined && !oauthAny) {
    issues.push({ path: "HERALD_SMTP_PASSWORD", message: "is required with HERALD_SMTP_USER (or configure HERALD_SMTP_OAUTH_*)" });
  }
  const credential = set.find((name) => name === "HERALD_SMTP_USER" || name === "HERALD_SMTP_PASSWORD" || name.startsWith("HERALD_SMTP_OAUTH_"));
  if (e.HERALD_SMTP_TLS === "none" && credential !== undefined) {
    issues.push({ path: "HERALD_SMTP_TLS", message: `none is only for an open relay; with ${credential} set use starttls or implicit` });
  }
  if (e.HERALD_SMTP_CA_FILE !== undefined) {
    const problem = caProblem(e.HERALD_SMTP_CA_FILE);
    if (problem) issues.push({ path: "HERALD_SMTP_CA_FILE", message: problem });
  }
  return issues;
}

/** Only called once smtpIssues found nothing. */
export function smtpSettings(e: SmtpEnv): SmtpSettings {
  const tls = e.HERALD_SMTP_TLS ?? "starttls";
  return {
    host: e.HERALD_SMTP_HOST ?? "",
    port: e.HERALD_SMTP_PORT ?? SMTP_DEFAULT_PORTS[tls],
    tls,
    caFile: e.HERALD_SMTP_CA_FILE,
    extraCa: e.HERALD_SMTP_CA_FILE === undefined ? [] : pemCertificates(readFileSync(e.HERALD_SMTP_CA_FILE, "utf8")),
    auth: authSettings(e),
    idleTimeoutMs: (e.HERALD_SMTP_IDLE_TIMEOUT_SECONDS ?? 30) * 1000,
  };
}

function authSettings(e: SmtpEnv): SmtpAuthSettings {
  const user = e.HERALD_SMTP_USER;
  // Both configured: the password wins, as the relay report asks.
  if (user !== undefined && e.HERALD_SMTP_PASSWORD !== undefined) return { kind: "password", user, password: e.HERALD_SMTP_PASSWORD };
  if (user !== undefined && e.HERALD_SMTP_OAUTH_TOKEN_URL && e.HERALD_SMTP_OAUTH_CLIENT_ID && e.HERALD_SMTP_OAUTH_CLIENT_SECRET) {
    return {
      kind: "oauth",
      user,
      tokenUrl: e.HERALD_SMTP_OAUTH_TOKEN_URL,
      clientId: e.HERALD_SMTP_OAUTH_CLIENT_ID,
      clientSecret: e.HERALD_SMTP_OAUTH_CLIENT_SECRET,
      scope: e.HERALD_SMTP_OAUTH_SCOPE,
    };
  }
  return { kind: "none" };
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

export function pemCertificates(text: string): string[] {
  return text.match(PEM_BLOCK) ?? [];
}

function caProblem(path: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    return `cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? "error"})`;
  }
  const blocks = pemCertificates(text);
  if (blocks.length === 0) return `${path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`;
  for (const [i, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch {
      return `certificate ${i + 1} in ${path} cannot be parsed`;
    }
  }
  return undefined;
}
