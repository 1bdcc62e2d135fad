import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { provision, startMoto, startOAuthServer, useEmulatorEnv, type Emulator, type OAuthServer, type Resources } from "@herald/testing";
import { createApp } from "../../src/app";
import { loadConfig } from "../../src/config";
import { buildDeps } from "../../src/deps";

/*
 * Ingest checking bearer tokens itself (HERALD_IDENTITY_SOURCE=credentials, as `npm start` runs
 * it) with the introspection client secret in (moto's) Secrets Manager: composed by buildDeps
 * from configuration, as the server entry point does.
 */
const SECRET_NAME = "herald/test/OAuthClientSecret";
let moto: Emulator;
let idp: OAuthServer;
let resources: Resources;

beforeAll(async () => {
  moto = await startMoto();
  useEmulatorEnv(moto.endpoint);
  idp = await startOAuthServer();
  resources = await provision({ prefix: "ingest-oauth", senders: ["noreply@herald.test"] });
  await new SecretsManagerClient({}).send(new CreateSecretCommand({ Name: SECRET_NAME, SecretString: idp.clientSecret }));
});

afterAll(async () => {
  await idp?.stop();
  await moto?.stop();
});

function appWith(clientSecret: string) {
  const config = loadConfig({
    HERALD_TABLE_NAME: resources.tableName,
    HERALD_EMAIL_QUEUE_URL: resources.emailQueueUrl,
    HERALD_SMS_QUEUE_URL: resources.smsQueueUrl,
    HERALD_SECURE_QUEUE_URL: resources.secureQueueUrl,
    HERALD_EMAIL_FROM: "noreply@herald.test",
    HERALD_LOG_LEVEL: "SILENT",
    HERALD_AUDIT_HMAC_KEY: "integration-test-audit-key-of-32-chars",
    HERALD_OAUTH_INTROSPECTION_URL: idp.introspectionUrl,
    HERALD_OAUTH_CLIENT_ID: idp.clientId,
    HERALD_OAUTH_CLIENT_SECRET: clientSecret,
    HERALD_OAUTH_ISSUER: idp.issuer,
    HERALD_OAUTH_AUDIENCE: "herald",
    HERALD_SECRETS_MAX_AGE: "30",
  });
  expect(config.secretsMaxAgeSeconds).toBe(30);
  return createApp(buildDeps(config));
}

const listAs = async (app: ReturnType<typeof createApp>, token: string) =>
  app.request("/v1/messages?recipient=alice%40example.com", { headers: { authorization: `Bearer ${token}` } });

describe("ingest with the OAuth client secret in Secrets Manager", () => {
  it("accepts a bearer token introspected with the secret read from Secrets Manager", async () => {
    // Prepare
    const app = appWith(`secretsmanager:${SECRET_NAME}`);
    const token = await idp.token({ sub: "alice", tenant: "acme", scope: "messages:read" });

    // Act
    const response = await listAs(app, token);

    // Assess
    expect(response.status).toBe(200);
  });

  it("answers 503 auth.client_secret_unavailable with Retry-After, naming no secret, when the secret cannot be read", async () => {
    // Prepare
    const app = appWith("secretsmanager:herald/test/NoSuchSecret");
    const token = await idp.token({ sub: "alice", tenant: "acme", scope: "messages:read" });
    idp.resetCounts();

    // Act
    const response = await listAs(app, token);

    // Assess
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("1");
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    const problem = await response.text();
    expect(JSON.parse(problem)).toMatchObject({ status: 503, code: "auth.client_secret_unavailable" });
    expect(problem).not.toContain("NoSuchSecret");
    expect(problem).not.toContain("secretsmanager");
    expect(idp.introspectionCalls()).toBe(0);
  });
});
