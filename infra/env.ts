/*
 * Helpers for reading deploy-time variables, shared by config.ts and email-config.ts. Nothing
 * here reads process.env: config.ts, the one place infra does, passes it in.
 */

export class InfraConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`herald: invalid deploy configuration: ${variable}: ${problem}`);
    this.name = "InfraConfigError";
  }
}

export type Env = Record<string, string | undefined>;

/** A variable's trimmed value; blank counts as unset, as the services read it. */
export function text(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === "" ? undefined : value;
}

export function list(env: Env, name: string): string[] {
  return (text(env, name) ?? "")
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);
}

export function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InfraConfigError(name, `must be an integer from ${min} to ${max}`);
  }
  return value;
}

/** Plain http would send client secrets and tokens in clear; a Lambda has no localhost server. */
export function isHttpsUrl(value: string): boolean {
  try {
    return new URL(value).protocol === "https:";
  } catch {
    return false;
  }
}
