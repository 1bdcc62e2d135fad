import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Roles } from "@herald/contracts";
import { UnauthorizedError } from "@herald/platform";
import { provision, startMoto, useEmulatorEnv, type Emulator } from "@herald/testing";
import { createApiKey, createAuthenticator, generateApiKey, type ApiKeyRecord } from "../../src/index";
import { DynamoApiKeyStore } from "../../src/dynamo-api-key-store";

let moto: Emulator;
let store: DynamoApiKeyStore;

beforeAll(async () => {
  moto = await startMoto();
  useEmulatorEnv(moto.endpoint);
  const { tableName } = await provision({ prefix: "auth-keys-it", senders: [] });
  store = new DynamoApiKeyStore(new DynamoDBClient({}), tableName);
});

afterAll(async () => {
  await moto?.stop();
});

function aKeyRecord(overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  const { keyId, hash } = generateApiKey();
  return {
    key_id: keyId,
    hash,
    principal: `key:${keyId}`,
    tenant: "acme",
    roles: [Roles.send, Roles.read],
    description: "integration test",
    created_at: "2030-01-01T00:00:00.000Z",
    ...overrides,
  };
}

describe("DynamoApiKeyStore", () => {
  it("finds a stored key by its hash", async () => {
    // Prepare
    const record = aKeyRecord();

    // Act
    await store.put(record);
    const found = await store.findByHash(record.hash);

    // Assess
    expect(found).toEqual(record);
  });

  it("finds nothing for an unknown hash", async () => {
    // Prepare
    const unknown = generateApiKey().hash;

    // Act
    const found = await store.findByHash(unknown);

    // Assess
    expect(found).toBeUndefined();
  });

  it("refuses a second key with the same hash and keeps the first", async () => {
    // Prepare
    const record = aKeyRecord();
    await store.put(record);

    // Act
    const attempt = store.put({ ...record, tenant: "globex", roles: [...Object.values(Roles)] });

    // Assess
    await expect(attempt).rejects.toThrow();
    expect(await store.findByHash(record.hash)).toEqual(record);
  });

  it("lists every stored key", async () => {
    // Prepare
    const records = [aKeyRecord(), aKeyRecord({ tenant: "globex" }), aKeyRecord({ principal: "svc:billing" })];
    for (const record of records) await store.put(record);

    // Act
    const listed = await store.list();

    // Assess
    expect(listed).toEqual(expect.arrayContaining(records));
    expect(new Set(listed.map((r) => r.hash)).size).toBe(listed.length);
  });

  it("marks a key revoked and keeps the first revocation time", async () => {
    // Prepare
    const record = aKeyRecord();
    await store.put(record);
    const first = new Date("2030-02-01T00:00:00.000Z");

    // Act
    const revoked = await store.revoke(record.key_id, first);
    const again = await store.revoke(record.key_id, new Date("2030-03-01T00:00:00.000Z"));

    // Assess
    expect([revoked, again]).toEqual([true, true]);
    expect(await store.findByHash(record.hash)).toEqual({ ...record, revoked_at: first.toISOString() });
  });

  it("answers false when revoking a key it does not hold", async () => {
    // Prepare
    const unknownKeyId = generateApiKey().keyId;

    // Act
    const revoked = await store.revoke(unknownKeyId, new Date());

    // Assess
    expect(revoked).toBe(false);
  });
});

describe("API key rotation against DynamoDB", () => {
  it("lets two keys of one tenant both work, and revoking the old one leaves the new one working", async () => {
    // Prepare
    const authenticate = createAuthenticator({ apiKeys: store });
    const old = await createApiKey(store, { principal: "svc:rotating", tenant: "rotation", roles: [Roles.send] });
    const fresh = await createApiKey(store, { principal: "svc:rotating", tenant: "rotation", roles: [Roles.send] });
    const both = await Promise.all([
      authenticate(new Headers({ "x-api-key": old.key })),
      authenticate(new Headers({ authorization: `Bearer ${fresh.key}` })),
    ]);

    // Act
    await store.revoke(old.record.key_id, new Date());

    // Assess
    expect(both.map((b) => b.identity)).toEqual([
      { principal: "key:svc:rotating", tenant: "rotation", roles: [Roles.send] },
      { principal: "key:svc:rotating", tenant: "rotation", roles: [Roles.send] },
    ]);
    await expect(authenticate(new Headers({ "x-api-key": old.key }))).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(authenticate(new Headers({ "x-api-key": fresh.key }))).resolves.toMatchObject({
      identity: { principal: "key:svc:rotating", tenant: "rotation", roles: [Roles.send] },
      method: "api_key",
    });
  });
});
