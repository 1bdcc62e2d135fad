import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SecretsProvider } from "@aws-lambda-powertools/parameters/secrets";
import { z } from "zod";
import { env } from "./config";
import { TransientError } from "./errors";

/**
 * A provider credential as configured: the value itself (local runs, tests), or a reference to a
 * secret in AWS Secrets Manager, `secretsmanager:<name or ARN>` (what infra sets on AWS). The
 * reference keeps the variable's name the same either way (HERALD_SMTP_PASSWORD, ...).
 */
export type SecretSetting = { kind: "value"; value: string } | { kind: "secretsmanager"; id: string };

export const SECRETS_MANAGER_PREFIX = "secretsmanager:";

/** A secret-valued setting; blank counts as unset. `toString` never shows a value. */
export const SecretSettingEnv = z.preprocess(
  (value) => (typeof value === "string" && value.trim() === "" ? undefined : value),
  z
    .string()
    .transform((raw, ctx): SecretSetting => {
      if (!raw.startsWith(SECRETS_MANAGER_PREFIX)) return { kind: "value", value: raw };
      const id = raw.slice(SECRETS_MANAGER_PREFIX.length).trim();
      if (id === "") {
        ctx.addIssue({ code: "custom", message: `needs a secret name or ARN after ${SECRETS_MANAGER_PREFIX}` });
        return z.NEVER;
      }
      return { kind: "secretsmanager", id };
    })
    .optional(),
);

/**
 * A credential read when it is needed. `value()` is cheap (cached); `refresh()` fetches it again
 * now, for when the provider has just refused it (it may have been rotated).
 */
export interface Secret {
  /** What the secret is, for logs and errors: "secretsmanager:<id>" or "environment"; never the value. */
  readonly source: string;
  value(): Promise<string>;
  refresh(): Promise<string>;
}

export type SecretsOptions = {
  /** How long a value read from Secrets Manager is reused before it is read again. */
  maxAgeSeconds: number;
  /** For tests: the client to read with (default: one built from the AWS SDK's environment). */
  client?: SecretsManagerClient;
};

/**
 * Builds Secret objects from settings, sharing one Powertools SecretsProvider (and so one cache
 * and one client) per process. A rotated secret is picked up within `maxAgeSeconds`, or at once
 * when a caller `refresh()`es it after the provider refused the old one: no restart, no redeploy.
 */
export function createSecrets(options: SecretsOptions): (setting: SecretSetting) => Secret {
  let provider: SecretsProvider | undefined;
  const secretsProvider = () =>
    (provider ??= new SecretsProvider({
      awsSdkV3Client: options.client ?? new SecretsManagerClient({ requestHandler: { requestTimeout: 5000 } }),
    }));

  return (setting) => {
    if (setting.kind === "value") {
      const value = setting.value;
      return { source: "environment", value: async () => value, refresh: async () => value };
    }
    const { id } = setting;
    const source = `${SECRETS_MANAGER_PREFIX}${id}`;
    const read = async (forceFetch: boolean): Promise<string> => {
      let value: unknown;
      try {
        value = await secretsProvider().get(id, { maxAge: options.maxAgeSeconds, forceFetch });
      } catch (error) {
        const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
        const name = cause instanceof Error ? cause.name : "Error";
        throw new TransientError("secrets.unavailable", `Could not read the secret ${source} (${name})`, cause);
      }
      if (typeof value !== "string" || value === "") {
        throw new TransientError("secrets.empty", `The secret ${source} has no string value; set one with put-secret-value`);
      }
      return value;
    };
    return { source, value: () => read(false), refresh: () => read(true) };
  };
}

/** The process-wide max age of Secrets Manager values, from HERALD_SECRETS_MAX_AGE. */
export const SecretsEnv = z.object({
  HERALD_SECRETS_MAX_AGE: env.int(60, 1, 3600),
});
