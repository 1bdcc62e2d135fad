import { describe, expect, it } from "vitest";
import { z } from "zod";
import { parseEnv } from "../../src/config";
import { createSecrets, SecretSettingEnv, SecretsEnv } from "../../src/secrets";

const Env = z.object({ HERALD_SMTP_PASSWORD: SecretSettingEnv });

describe("SecretSettingEnv", () => {
  it("takes a plain value as the secret itself", () => {
    // Act
    const e = parseEnv(Env, { HERALD_SMTP_PASSWORD: "hunter2" });

    // Assess
    expect(e.HERALD_SMTP_PASSWORD).toEqual({ kind: "value", value: "hunter2" });
  });

  it("takes secretsmanager:<id> as a reference to Secrets Manager", () => {
    // Act
    const e = parseEnv(Env, { HERALD_SMTP_PASSWORD: "secretsmanager:arn:aws:secretsmanager:eu-west-1:123456789012:secret:smtp-AbCdEf" });

    // Assess
    expect(e.HERALD_SMTP_PASSWORD).toEqual({ kind: "secretsmanager", id: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:smtp-AbCdEf" });
  });

  it("counts a blank value as unset", () => {
    // Act
    const e = parseEnv(Env, { HERALD_SMTP_PASSWORD: "  " });

    // Assess
    expect(e.HERALD_SMTP_PASSWORD).toBeUndefined();
  });

  it("refuses a reference without a name, naming the variable", () => {
    // Act
    const act = () => parseEnv(Env, { HERALD_SMTP_PASSWORD: "secretsmanager:" });

    // Assess
    expect(act).toThrow(/HERALD_SMTP_PASSWORD: needs a secret name or ARN/);
  });
});

describe("createSecrets", () => {
  it("serves a value from the environment without calling AWS", async () => {
    // Prepare
    const secret = createSecrets({ maxAgeSeconds: 60 })({ kind: "value", value: "hunter2" });

    // Act
    const values = [await secret.value(), await secret.refresh()];

    // Assess
    expect(values).toEqual(["hunter2", "hunter2"]);
    expect(secret.source).toBe("environment");
  });
});

describe("SecretsEnv", () => {
  it("defaults the max age to 60 s and bounds it", () => {
    // Act
    const fallback = parseEnv(SecretsEnv, {});
    const act = () => parseEnv(SecretsEnv, { HERALD_SECRETS_MAX_AGE: "0" });

    // Assess
    expect(fallback.HERALD_SECRETS_MAX_AGE).toBe(60);
    expect(act).toThrow(/HERALD_SECRETS_MAX_AGE: must be at least 1/);
  });
});
