import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { SecretsProvider } from "@aws-lambda-powertools/parameters/secrets";
import { SECRETS_MANAGER_PREFIX, type SecretSetting } from "@herald/settings";
import { TransientError } from "./errors";
import type { Secret } from "./secret";

// The setting (the value or a `secretsmanager:` reference) is judged in @herald/settings, where
// infra judges it too; this module reads it.
export { SECRETS_MANAGER_PREFIX, SecretSettingEnv, SecretsEnv, type SecretSetting } from "@herald/settings";

export type SecretsOptions = {
  /** How long a value read from Secrets Manager is reused before it is read again. */
  maxAgeSeconds: number;
  /** How long one read may take before it fails (default 5000 ms). */
  requestTimeoutMs?: number;
  /** For tests: the client to read with (default: one built from the AWS SDK's environment). */
  client?: SecretsManagerClient;
};

/**
 * A read sits on a send's path (an SMTP password, a Twilio token), inside the record's time
 * budget: one attempt that ends at its timeout (without throwOnRequestTimeout the SDK's
 * requestTimeout only logs a warning, and its three attempts would triple the wait). A failed
 * read is a TransientError, and SQS delivers the message again.
 */
async function readingClient(timeoutMs: number): Promise<SecretsManagerClient> {
  const { SecretsManagerClient } = await import("@aws-sdk/client-secrets-manager");
  return new SecretsManagerClient({ maxAttempts: 1, requestHandler: { requestTimeout: timeoutMs, throwOnRequestTimeout: true } });
}

/**
 * Builds Secret objects from settings, sharing one Powertools SecretsProvider (and so one cache
 * and one client) per process. A rotated secret is picked up within `maxAgeSeconds`, or at once
 * when a caller `refresh()`es it after the provider refused the old one: no restart, no redeploy.
 */
export function createSecrets(options: SecretsOptions): (setting: SecretSetting, name: string) => Secret {
  // Loaded on the first read: a function whose settings name no secretsmanager: reference (or
  // that reads it only on a rare route, as ingest's erasure does) never loads the client.
  let provider: Promise<SecretsProvider> | undefined;
  const secretsProvider = () =>
    (provider ??= (async () => {
      const { SecretsProvider } = await import("@aws-lambda-powertools/parameters/secrets");
      return new SecretsProvider({ awsSdkV3Client: options.client ?? (await readingClient(options.requestTimeoutMs ?? 5000)) });
    })().catch((error: unknown) => {
      provider = undefined; // a failed load is tried again by the next read
      throw error;
    }));

  // `name` (the setting, e.g. HERALD_SMTP_PASSWORD) is what errors say: they can end up on a
  // message record a tenant reads, where a secret's ARN (with the account id) does not belong.
  return (setting, name) => {
    if (setting.kind === "value") {
      const value = setting.value;
      return { source: "environment", value: async () => value, refresh: async () => value };
    }
    const { id } = setting;
    const source = `${SECRETS_MANAGER_PREFIX}${id}`;
    const read = async (forceFetch: boolean): Promise<string> => {
      let value: unknown;
      try {
        value = await (await secretsProvider()).get(id, { maxAge: options.maxAgeSeconds, forceFetch });
      } catch (error) {
        const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
        const why = cause instanceof Error ? cause.name : "Error";
        throw new TransientError("secrets.unavailable", `Could not read ${name} from Secrets Manager (${why})`, cause);
      }
      if (typeof value !== "string" || value === "") {
        throw new TransientError("secrets.empty", `The Secrets Manager secret of ${name} has no string value; put one with put-secret-value`);
      }
      return value;
    };
    return { source, value: () => read(false), refresh: () => read(true) };
  };
}
