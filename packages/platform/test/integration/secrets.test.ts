import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startAwsProxy, startMoto, useEmulatorEnv, type Emulator } from "@herald/testing";
import { TransientError } from "../../src/errors";
import { createSecrets, SecretSettingEnv, type SecretSetting } from "../../src/secrets";

let moto: Emulator;
let client: SecretsManagerClient;

beforeAll(async () => {
  moto = await startMoto();
  useEmulatorEnv(moto.endpoint);
  client = new SecretsManagerClient({});
});

afterAll(async () => {
  await moto?.stop();
});

beforeEach(async () => {
  await moto.reset();
});

const ref = (id: string): SecretSetting => SecretSettingEnv.parse(`secretsmanager:${id}`) as SecretSetting;

describe("createSecrets with Secrets Manager", () => {
  it("reads the secret, reuses it within the max age and picks up a rotation after it", async () => {
    // Prepare
    await client.send(new CreateSecretCommand({ Name: "herald/smtp-password", SecretString: "first" }));
    const secret = createSecrets({ maxAgeSeconds: 1 })(ref("herald/smtp-password"), "HERALD_SMTP_PASSWORD");

    // Act
    const before = await secret.value();
    await client.send(new PutSecretValueCommand({ SecretId: "herald/smtp-password", SecretString: "second" }));
    const cached = await secret.value();
    await new Promise((r) => setTimeout(r, 1100));
    const after = await secret.value();

    // Assess
    expect([before, cached, after]).toEqual(["first", "first", "second"]);
    expect(secret.source).toBe("secretsmanager:herald/smtp-password");
  });

  it("refetches at once on refresh, before the max age runs out", async () => {
    // Prepare
    await client.send(new CreateSecretCommand({ Name: "twilio-token", SecretString: "old" }));
    const secret = createSecrets({ maxAgeSeconds: 3600 })(ref("twilio-token"), "HERALD_SMTP_PASSWORD");
    await secret.value();
    await client.send(new PutSecretValueCommand({ SecretId: "twilio-token", SecretString: "new" }));

    // Act
    const refreshed = await secret.refresh();

    // Assess
    expect(refreshed).toBe("new");
    expect(await secret.value()).toBe("new");
  });

  it("reads a secret by its ARN", async () => {
    // Prepare
    const { ARN } = await client.send(new CreateSecretCommand({ Name: "by-arn", SecretString: "s3cr3t" }));

    // Act
    const value = await createSecrets({ maxAgeSeconds: 60 })(ref(String(ARN)), "HERALD_SMTP_PASSWORD").value();

    // Assess
    expect(value).toBe("s3cr3t");
  });

  it("fails with a retryable error naming the secret, not its value, when it does not exist", async () => {
    // Prepare
    const secret = createSecrets({ maxAgeSeconds: 60 })(ref("missing"), "HERALD_SMTP_PASSWORD");

    // Act
    const error = await secret.value().catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ code: "secrets.unavailable", retryable: true });
    expect((error as Error).message).toBe("Could not read HERALD_SMTP_PASSWORD from Secrets Manager (ResourceNotFoundException)");
  });

  it("fails with a retryable error when the secret was created without a value", async () => {
    // Prepare
    await client.send(new CreateSecretCommand({ Name: "empty" }));
    const secret = createSecrets({ maxAgeSeconds: 60 })(ref("empty"), "HERALD_SMTP_PASSWORD");

    // Act
    const error = await secret.value().catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).code).toMatch(/^secrets\./);
  });

  it("gives up a slow read at its timeout, after one attempt, with a retryable error", async () => {
    // Prepare: Secrets Manager answers after 1.5 s, through a proxy that counts the calls
    await client.send(new CreateSecretCommand({ Name: "slow", SecretString: "s3cr3t" }));
    const proxy = await startAwsProxy({ target: moto.endpoint, delay: (op) => (op === "secretsmanager.GetSecretValue" ? 1500 : undefined) });
    useEmulatorEnv(proxy.endpoint);
    try {
      const secret = createSecrets({ maxAgeSeconds: 60, requestTimeoutMs: 300 })(ref("slow"), "HERALD_SMTP_PASSWORD");

      // Act
      const started = performance.now();
      const error = await secret.value().catch((e: unknown) => e);
      const ms = performance.now() - started;

      // Assess
      expect(error).toBeInstanceOf(TransientError);
      expect((error as TransientError).code).toBe("secrets.unavailable");
      expect(ms).toBeLessThan(1200);
      expect(proxy.counts.get("secretsmanager.GetSecretValue")).toBe(1);
    } finally {
      useEmulatorEnv(moto.endpoint);
      await proxy.stop();
    }
  });
});
