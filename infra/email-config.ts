import { resolve } from "node:path";
import type { EmailTransport, EmailTransportEnv, Issue, SmtpSettings, SmtpTlsMode } from "@herald/settings";
import { isHttpsUrl, type Env } from "./env";

/*
 * The email consumer's transports (HERALD_EMAIL_TRANSPORTS, HERALD_SMTP_*, the breaker) are judged
 * by services/email's own rules (@herald/settings, EmailTransportEnv and smtpIssues), so a mistake
 * stops `sst deploy` with the line the consumer would print at every start. What is here is
 * infra's alone: where the CA file is found, and the checks that exist because the consumer runs
 * on Lambda. The SMTP password and the OAuth client secret are not settings at all: they live in
 * Secrets Manager (infra/secrets.ts).
 */

/** SES's own SMTP interface: it too sends only from verified SES identities. */
export const SES_SMTP_HOST = /^email-smtp(-fips)?\.[a-z0-9-]+\.amazonaws\.com$/;

/**
 * How the consumer authenticates to the relay, as services/email decides it (smtpSettings); each
 * mode decides which secret infra declares. Never a secret's value.
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
  /** Passed on only when given, so the consumer's default applies otherwise. */
  idleTimeoutSeconds: number | undefined;
  auth: SmtpAuth;
};

export type EmailConfig = {
  /** In order of preference, never empty: the first is the primary, the others its failover. */
  transports: EmailTransport[];
  /** Set exactly when smtp is among the transports. */
  smtp: SmtpConfig | undefined;
  breaker: { failures: number; cooldownSeconds: number };
};

/**
 * A relative HERALD_SMTP_CA_FILE starts at the directory of sst.config.ts (`root`), as SST's
 * copyFiles does, wherever `sst deploy` runs from; the consumer then checks the absolute path.
 */
export function withCaFileFromRoot(env: Env, root: string): Env {
  const given = env.HERALD_SMTP_CA_FILE;
  return given === undefined ? env : { ...env, HERALD_SMTP_CA_FILE: resolve(root, given) };
}

/** On top of the consumer's rules, what makes a relay useless from a Lambda function. */
export function smtpDeployIssues(relay: SmtpSettings, e: EmailTransportEnv): Issue[] {
  const issues: Issue[] = [];
  // AWS blocks outbound TCP port 25 from Lambda functions: a relay there is never reached.
  if (relay.port === 25) {
    const given = e.HERALD_SMTP_PORT === undefined ? "is 25 by default with HERALD_SMTP_TLS=none, but" : "is 25:";
    issues.push({
      path: "HERALD_SMTP_PORT",
      message: `${given} AWS blocks outbound port 25 from Lambda; use 587 (STARTTLS) or 465 (implicit TLS)`,
    });
  }
  if (e.HERALD_SMTP_OAUTH_TOKEN_URL !== undefined && !isHttpsUrl(e.HERALD_SMTP_OAUTH_TOKEN_URL)) {
    issues.push({ path: "HERALD_SMTP_OAUTH_TOKEN_URL", message: "must be an https URL" });
  }
  // Infra would bundle the file into the function for a connection that never uses TLS.
  if (relay.caFile !== undefined && relay.tls === "none") {
    issues.push({ path: "HERALD_SMTP_CA_FILE", message: "has no effect with HERALD_SMTP_TLS=none" });
  }
  return issues;
}

export function emailConfig(transports: EmailTransport[], relay: SmtpSettings | undefined, e: EmailTransportEnv): EmailConfig {
  return {
    transports,
    smtp: relay && {
      host: relay.host,
      port: relay.port,
      tls: relay.tls,
      caFile: relay.caFile,
      idleTimeoutSeconds: e.HERALD_SMTP_IDLE_TIMEOUT_SECONDS,
      auth: smtpAuth(relay.auth),
    },
    breaker: { failures: e.HERALD_EMAIL_BREAKER_FAILURES, cooldownSeconds: e.HERALD_EMAIL_BREAKER_COOLDOWN_SECONDS },
  };
}

function smtpAuth(auth: SmtpSettings["auth"]): SmtpAuth {
  switch (auth.kind) {
    case "none":
      return { mode: "none" };
    case "password":
      return { mode: "password", user: auth.user };
    case "oauth":
      return { mode: "oauth", user: auth.user, tokenUrl: auth.tokenUrl, clientId: auth.clientId, scope: auth.scope };
  }
}
