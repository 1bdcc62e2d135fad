import * as z from "zod";
import { env } from "./env";

/**
 * A provider credential as configured: the value itself (local runs, tests), or a reference to a
 * secret in AWS Secrets Manager, `secretsmanager:<name or ARN>` (what infra sets on AWS). The
 * reference keeps the variable's name the same either way (HERALD_SMTP_PASSWORD, ...). Reading
 * the secret is @herald/platform's (createSecrets).
 */
export type SecretSetting = { kind: "value"; value: string } | { kind: "secretsmanager"; id: string };

export const SECRETS_MANAGER_PREFIX = "secretsmanager:";

/** A secret-valued setting; blank counts as unset. `toString` never shows a value. */
export const SecretSettingEnv = env.optional(
  z.string().transform((raw, ctx): SecretSetting => {
    if (!raw.startsWith(SECRETS_MANAGER_PREFIX)) return { kind: "value", value: raw };
    const id = raw.slice(SECRETS_MANAGER_PREFIX.length).trim();
    if (id === "") {
      ctx.addIssue({ code: "custom", message: `needs a secret name or ARN after ${SECRETS_MANAGER_PREFIX}` });
      return z.NEVER;
    }
    return { kind: "secretsmanager", id };
  }),
);

/** The process-wide max age of Secrets Manager values, from HERALD_SECRETS_MAX_AGE. */
export const SecretsEnv = z.object({
  HERALD_SECRETS_MAX_AGE: env.int(60, 1, 3600),
});
