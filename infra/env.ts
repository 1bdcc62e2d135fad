import { formatIssues, type Issue } from "@herald/settings";

/*
 * Reading deploy-time variables. Nothing here reads process.env: config.ts, the one place infra
 * does, passes it in. The rules a value must follow are the services' (@herald/settings).
 */

export type Env = Record<string, string | undefined>;

/** One line naming each bad variable: "herald: invalid deploy configuration: VAR: problem". */
export class InfraConfigError extends Error {
  readonly issues: readonly Issue[];

  constructor(issues: readonly Issue[]) {
    super(`herald: invalid deploy configuration: ${formatIssues(issues)}`);
    this.name = "InfraConfigError";
    this.issues = issues;
  }
}

/**
 * The HERALD_* variables as the deploy was given them, trimmed, a blank one unset: a stray space
 * in the deploying shell is not a setting. The functions get the trimmed values.
 */
export function deployEnvironment(env: Env): Env {
  const out: Env = {};
  for (const [name, raw] of Object.entries(env)) {
    const value = raw?.trim();
    if (name.startsWith("HERALD_") && value !== undefined && value !== "") out[name] = value;
  }
  return out;
}

/**
 * Plain http would send client secrets and tokens in clear. The services also take http to a
 * loopback host, for a local identity provider; a Lambda function shares no loopback with one.
 */
export function isHttpsUrl(value: string): boolean {
  try {
    return new URL(value).protocol === "https:";
  } catch {
    return false;
  }
}
