import type { APIGatewayRequestAuthorizerEventV2 } from "aws-lambda";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "@herald/auth";
import { DynamoApiKeyStore } from "@herald/auth/dynamo";
import { Roles } from "@herald/contracts";
import { provision, startMoto, startOAuthServer, useEmulatorEnv, type Emulator, type OAuthServer } from "@herald/testing";

/*
 * The deployed entry point as Lambda loads it: configuration from the environment, API keys in
 * DynamoDB (moto), tokens introspected at a real local OAuth 2.0 server with the client secret
 * read from Secrets Manager (moto), as infra configures it: secretsmanager:<name>.
 */
let moto: Emulator;
let idp: OAuthServer;
let handler: (event: APIGatewayRequestAuthorizerEventV2) => Promise<unknown>;
let apiKey: string;

beforeAll(async () => {
  moto = await startMoto();
  useEmulatorEnv(moto.endpoint);
  idp = await startOAuthServer();
  const { tableName } = await provision({ prefix: "authorizer-it", senders: [] });
  await new SecretsManagerClient({}).send(new CreateSecretCommand({ Name: "herald/test/OAuthClientSecret", SecretString: idp.clientSecret }));
  apiKey = (await createApiKey(new DynamoApiKeyStore(new DynamoDBClient({}), tableName), { principal: "svc:billing", tenant: "acme", roles: [Roles.send] })).key;
  Object.assign(process.env, {
    HERALD_TABLE_NAME: tableName,
    HERALD_LOG_LEVEL: "SILENT",
    HERALD_OAUTH_INTROSPECTION_URL: idp.introspectionUrl,
    HERALD_OAUTH_CLIENT_ID: idp.clientId,
    HERALD_OAUTH_CLIENT_SECRET: "secretsmanager:herald/test/OAuthClientSecret",
    HERALD_OAUTH_ISSUER: idp.issuer,
    HERALD_OAUTH_AUDIENCE: "herald",
  });
  ({ handler } = await import("../../src/entrypoints/lambda"));
});

afterAll(async () => {
  await idp?.stop();
  await moto?.stop();
});

const anEvent = (authorization: string) =>
  ({ version: "2.0", type: "REQUEST", identitySource: [authorization], headers: { authorization } }) as unknown as APIGatewayRequestAuthorizerEventV2;

describe("the authorizer Lambda entry point", () => {
  it("authorizes an API key stored in DynamoDB", async () => {
    // Act
    const result = await handler(anEvent(`Bearer ${apiKey}`));

    // Assess
    expect(result).toEqual({ isAuthorized: true, context: { principal: "key:svc:billing", tenant: "acme", roles: "messages:send", expires_at: 0 } });
  });

  it("authorizes the X-Api-Key of a legacy /msg route, the identity source of its authorizer", async () => {
    // Prepare
    const event = { version: "2.0", type: "REQUEST", routeKey: "GET /msg", identitySource: [apiKey], headers: { "x-api-key": apiKey } };

    // Act
    const result = await handler(event as unknown as APIGatewayRequestAuthorizerEventV2);

    // Assess
    expect(result).toEqual({ isAuthorized: true, context: { principal: "key:svc:billing", tenant: "acme", roles: "messages:send", expires_at: 0 } });
  });

  it("authorizes a token by introspection, once for many invocations in one container", async () => {
    // Prepare
    const token = await idp.token({ sub: "alice", tenant: "globex", scope: "messages:read messages:erase" });
    idp.resetCounts();

    // Act
    const results = [];
    for (let i = 0; i < 20; i++) results.push(await handler(anEvent(`Bearer ${token}`)));

    // Assess
    expect(results[19]).toMatchObject({ isAuthorized: true, context: { principal: "alice", tenant: "globex", roles: "messages:read messages:erase" } });
    expect(idp.introspectionCalls()).toBe(1);
  });

  it.each([
    ["an expired token", () => idp.token({ expiresIn: -5 })],
    ["a token for another audience", () => idp.token({ aud: "other" })],
    ["an unknown API key", async () => `hk_0123456789ab_${"A".repeat(43)}`],
  ])("refuses %s with Unauthorized", async (_, make) => {
    // Act
    const attempt = handler(anEvent(`Bearer ${await make()}`));

    // Assess
    await expect(attempt).rejects.toThrow(/^Unauthorized$/);
  });
});
