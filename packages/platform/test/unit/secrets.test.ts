import { describe, expect, it } from "vitest";
import * as z from "zod";
import { parseEnv } from "../../src/config";
import { valueAfterRefusal, type Secret } from "../../src/secret";
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
    const secret = createSecrets({ maxAgeSeconds: 60 })({ kind: "value", value: "hunter2" }, "HERALD_SMTP_PASSWORD");

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

/** A secret whose store holds `stored` and whose cache serves `cached` until refreshed. */
function aRotatingSecret(initial: string) {
  let stored = initial;
  let cached = initial;
  let reads = 0;
  const secret: Secret = {
    source: "test",
    value: async () => cached,
    refresh: async () => {
      reads += 1;
      await new Promise((r) => setTimeout(r, 10));
      cached = stored;
      return cached;
    },
  };
  return { secret, rotate: (next: string) => (stored = next), reads: () => reads };
}

describe("valueAfterRefusal", () => {
  it("reads a rotated secret once for every caller refused at the same time", async () => {
    // Prepare
    const { secret, rotate, reads } = aRotatingSecret("old");
    rotate("new");

    // Act
    const values = await Promise.all(Array.from({ length: 5 }, () => valueAfterRefusal(secret, "old")));

    // Assess
    expect(values).toEqual(["new", "new", "new", "new", "new"]);
    expect(reads()).toBe(1);
  });

  it("answers undefined when the store still holds the refused value", async () => {
    // Prepare
    const { secret, reads } = aRotatingSecret("same");

    // Act
    const value = await valueAfterRefusal(secret, "same");

    // Assess
    expect(value).toBeUndefined();
    expect(reads()).toBe(1);
  });

  it("takes a value another caller has read since, without reading again", async () => {
    // Prepare
    const { secret, rotate, reads } = aRotatingSecret("old");
    rotate("new");
    await secret.refresh();

    // Act
    const value = await valueAfterRefusal(secret, "old");

    // Assess
    expect(value).toBe("new");
    expect(reads()).toBe(1);
  });
});
