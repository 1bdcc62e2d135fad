import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createSecrets } from "@herald/platform/secrets";
import { startAwsProxy, startMoto, startOAuthServer, useEmulatorEnv, type AwsProxy, type Emulator, type OAuthServer } from "@herald/testing";
import { createAuthenticator, loadOAuthSettings } from "../../src/index";
import { MemoryApiKeyStore } from "../../src/memory-api-key-store";
import { createIntrospector, createTokenVerifier } from "../../src/oauth/index";

/*
 * The introspection client secret as it lives on AWS: HERALD_OAUTH_CLIENT_SECRET=secretsmanager:
 * <name>, read from (moto's) Secrets Manager through a counting proxy. The local OAuth server's
 * client secret is fixed per instance, so rotating it at the provider is a restart of the
 * provider on the same port with the new secret: same URL, same issuer, new secret. Herald itself
 * is not restarted.
 */
const SECRET_NAME = "herald/test/OAuthClientSecret";
const FIRST = "first-introspection-secret";
const SECOND = "second-introspection-secret";
let moto: Emulator;
let proxy: AwsProxy;
let secrets: SecretsManagerClient;
let idp: OAuthServer;

beforeAll(async () => {
  moto = await startMoto();
  proxy = await startAwsProxy({ target: moto.endpoint });
  useEmulatorEnv(proxy.endpoint);
  secrets = new SecretsManagerClient({});
});

afterAll(async () => {
  await proxy?.stop();
  await moto?.stop();
});

beforeEach(async () => {
  await moto.reset();
  await secrets.send(new CreateSecretCommand({ Name: SECRET_NAME, SecretString: FIRST }));
  idp = await startOAuthServer({ clientSecret: FIRST });
  proxy.counts.clear();
});

afterEach(async () => {
  await idp?.stop();
});

const secretReads = () => proxy.counts.get("secretsmanager.GetSecretValue") ?? 0;
const bearer = (token: string) => new Headers({ authorization: `Bearer ${token}` });

/** The provider's client secret rotated: the same server, restarted where it was with the new one. */
async function rotateAtProvider(clientSecret: string): Promise<void> {
  const port = Number(new URL(idp.url).port);
  await idp.stop();
  idp = await startOAuthServer({ port, clientSecret });
}

const rotateInSecretsManager = (value: string) => secrets.send(new PutSecretValueCommand({ SecretId: SECRET_NAME, SecretString: value }));

/** The authenticator as ingest and the authorizer build it: one per process, so one secret cache. */
function anAuthenticator() {
  const settings = loadOAuthSettings({
    HERALD_OAUTH_INTROSPECTION_URL: idp.introspectionUrl,
    HERALD_OAUTH_CLIENT_ID: idp.clientId,
    HERALD_OAUTH_CLIENT_SECRET: `secretsmanager:${SECRET_NAME}`,
    HERALD_OAUTH_ISSUER: idp.issuer,
    HERALD_OAUTH_AUDIENCE: "herald",
  });
  if (!settings) throw new Error("OAuth settings expected");
  // Far longer than a test: a rotation picked up here is picked up by the refusal, not by age.
  const clientSecret = createSecrets({ maxAgeSeconds: 3600 })(settings.clientSecret, "HERALD_OAUTH_CLIENT_SECRET");
  const introspect = createIntrospector(settings, { clientSecret, sleep: async () => undefined });
  return createAuthenticator({ apiKeys: new MemoryApiKeyStore(), verifyToken: createTokenVerifier({ settings, introspect }) });
}

describe("OAuth 2.0 introspection with the client secret in Secrets Manager", () => {
  it("introspects with the secret read from Secrets Manager, reading it once for many tokens", async () => {
    // Prepare
    const authenticate = anAuthenticator();
    const tokens = [await idp.token({ sub: "alice" }), await idp.token({ sub: "bob" })];

    // Act
    const results = [await authenticate(bearer(tokens[0] ?? "")), await authenticate(bearer(tokens[1] ?? ""))];

    // Assess
    expect(results.map((r) => r.identity.principal)).toEqual(["alice", "bob"]);
    expect(idp.introspectionCalls()).toBe(2);
    expect(secretReads()).toBe(1);
  });

  it("picks up a secret rotated at the provider and in Secrets Manager at the next introspection: one 401, one more read, no restart", async () => {
    // Prepare
    const authenticate = anAuthenticator();
    await authenticate(bearer(await idp.token({ sub: "before" })));
    await rotateAtProvider(SECOND);
    await rotateInSecretsManager(SECOND);
    const [after, later] = [await idp.token({ sub: "after" }), await idp.token({ sub: "later" })];

    // Act
    const result = await authenticate(bearer(after));
    const callsAfterRotation = idp.introspectionCalls();
    const readsAfterRotation = secretReads();
    await authenticate(bearer(later));

    // Assess
    expect(result.identity.principal).toBe("after");
    expect(callsAfterRotation).toBe(2); // 401 with the cached secret, 200 with the one read again
    expect(readsAfterRotation).toBe(2);
    // The fresh secret is cached again: the next token costs one call and no read.
    expect(idp.introspectionCalls()).toBe(3);
    expect(secretReads()).toBe(2);
  });

  it("answers 500 auth.introspection_failed while Secrets Manager still holds the refused secret, and recovers once it is updated", async () => {
    // Prepare
    const authenticate = anAuthenticator();
    await authenticate(bearer(await idp.token({ sub: "before" })));
    await rotateAtProvider(SECOND);
    const token = await idp.token({ sub: "carol" });

    // Act
    const refused = await authenticate(bearer(token)).catch((e: unknown) => e);
    const callsWhileRefused = idp.introspectionCalls();
    await rotateInSecretsManager(SECOND);
    const recovered = await authenticate(bearer(token));

    // Assess
    expect(refused).toMatchObject({ status: 500, code: "auth.introspection_failed" });
    expect(String((refused as Error).message)).not.toContain(FIRST);
    // Read again, still the refused one: no second request with it.
    expect(callsWhileRefused).toBe(1);
    expect(recovered.identity.principal).toBe("carol");
    expect(idp.introspectionCalls()).toBe(3);
    expect(secretReads()).toBe(3);
  });

  it("answers 503 auth.client_secret_unavailable, asking the provider nothing, while the secret does not exist", async () => {
    // Prepare
    const settings = loadOAuthSettings({
      HERALD_OAUTH_INTROSPECTION_URL: idp.introspectionUrl,
      HERALD_OAUTH_CLIENT_ID: idp.clientId,
      HERALD_OAUTH_CLIENT_SECRET: "secretsmanager:herald/test/NoSuchSecret",
      HERALD_OAUTH_AUDIENCE: "herald",
    });
    if (!settings) throw new Error("OAuth settings expected");
    const introspect = createIntrospector(settings, { clientSecret: createSecrets({ maxAgeSeconds: 60 })(settings.clientSecret, "HERALD_OAUTH_CLIENT_SECRET") });

    // Act
    const error = await introspect(await idp.token()).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ status: 503, code: "auth.client_secret_unavailable", retryable: true });
    expect(String((error as Error).message)).not.toContain("NoSuchSecret");
    expect(idp.introspectionCalls()).toBe(0);
  });
});
