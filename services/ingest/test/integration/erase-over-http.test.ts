import { createHash, createHmac, randomUUID } from "node:crypto";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, QueryCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "@herald/auth";
import { DynamoApiKeyStore } from "@herald/auth/dynamo";
import { ALL_ROLES } from "@herald/contracts";
import { provision, startMoto, useEmulatorEnv, type Emulator, type Resources } from "@herald/testing";
import { createApp } from "../../src/app";
import { loadConfig } from "../../src/config";
import { buildDeps } from "../../src/deps";

/*
 * Erasure as buildDeps composes it from configuration: the DynamoDB store, and the audit key
 * read from (moto's) Secrets Manager through a secretsmanager: reference, as on AWS.
 */
const AUDIT_KEY = "k7Qm1tS0o3vVb6r2XyZ8aP4eHn5wLcJd9fGi0uRq=";
let moto: Emulator;
let resources: Resources;
let apiKey: string;

beforeAll(async () => {
  moto = await startMoto();
  useEmulatorEnv(moto.endpoint);
  resources = await provision({ prefix: "ingest-erase", senders: ["noreply@herald.test"] });
  const secrets = new SecretsManagerClient({});
  await secrets.send(new CreateSecretCommand({ Name: "herald/test/AuditHmacKey", SecretString: AUDIT_KEY }));
  // declared, no value put yet: what a fresh deploy has until the operator puts it
  await secrets.send(new CreateSecretCommand({ Name: "herald/test/EmptyAuditHmacKey" }));
  apiKey = (await createApiKey(new DynamoApiKeyStore(new DynamoDBClient({}), resources.tableName), { tenant: "acme", roles: [...ALL_ROLES] })).key;
});

afterAll(async () => {
  await moto?.stop();
});

function appWith(auditKey: string) {
  return createApp(
    buildDeps(
      loadConfig({
        HERALD_TABLE_NAME: resources.tableName,
        HERALD_EMAIL_QUEUE_URL: resources.emailQueueUrl,
        HERALD_SMS_QUEUE_URL: resources.smsQueueUrl,
        HERALD_SECURE_QUEUE_URL: resources.secureQueueUrl,
        HERALD_EMAIL_FROM: "noreply@herald.test",
        HERALD_LOG_LEVEL: "SILENT",
        HERALD_AUDIT_HMAC_KEY: auditKey,
      }),
    ),
  );
}

const db = () => DynamoDBDocumentClient.from(new DynamoDBClient({}));
async function itemsNaming(needle: string): Promise<Record<string, unknown>[]> {
  const { Items } = await db().send(new ScanCommand({ TableName: resources.tableName }));
  return (Items ?? []).filter((item) => JSON.stringify(item).includes(needle));
}

async function send(app: ReturnType<typeof createApp>, to: string): Promise<string> {
  const response = await app.request("/v1/messages", {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": apiKey },
    body: JSON.stringify({ channel: "sms", to, text: "Your code is 123456", metadata: { customer: to } }),
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { id: string }).id;
}

const erase = (app: ReturnType<typeof createApp>, recipient: string) =>
  app.request("/v1/recipients/erase", {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": apiKey },
    body: JSON.stringify({ recipient }),
  });

/** A number no other test uses: +1 415 555 then four random digits. */
const aNumber = () => `+1415555${String(randomUUID().replace(/\D/g, "")).padEnd(4, "0").slice(0, 4)}`;

describe("POST /v1/recipients/erase against the emulator", () => {
  it("leaves no item naming the number, and audits it under the HMAC keyed by the Secrets Manager secret", async () => {
    // Prepare
    const app = appWith("secretsmanager:herald/test/AuditHmacKey");
    const phone = aNumber();
    const ids = [await send(app, phone), await send(app, phone)];
    expect((await itemsNaming(phone)).length).toBe(4);

    // Act
    const response = await erase(app, phone);

    // Assess
    expect(response.status).toBe(200);
    const erasure = (await response.json()) as { erased: number; at: string; first_erased_at: string };
    expect(erasure).toMatchObject({ erased: 2, first_erased_at: erasure.at });
    expect(await itemsNaming(phone)).toEqual([]);
    const listed = await app.request(`/v1/messages?recipient=${encodeURIComponent(phone)}`, { headers: { "x-api-key": apiKey } });
    expect(await listed.json()).toEqual({ items: [], next_cursor: null });
    for (const id of ids) {
      const view = (await (await app.request(`/v1/messages/${id}`, { headers: { "x-api-key": apiKey } })).json()) as Record<string, unknown>;
      expect(view).toMatchObject({ id, erased: true });
      expect(view).not.toHaveProperty("to");
      expect(view).not.toHaveProperty("metadata");
    }
    const digest = createHmac("sha256", AUDIT_KEY).update(phone).digest("hex");
    expect(digest).not.toBe(createHash("sha256").update(phone).digest("hex"));
    const { Items } = await db().send(
      new QueryCommand({ TableName: resources.tableName, KeyConditionExpression: "pk = :pk", ExpressionAttributeValues: { ":pk": `AUDIT#acme#${digest}` } }),
    );
    expect(Items).toEqual([expect.objectContaining({ action: "erase_recipient", recipient_hmac: digest, messages: 2, at: erasure.at })]);
  });

  it("answers 503 naming the setting and erases nothing while the audit key's secret has no value", async () => {
    // Prepare
    const app = appWith("secretsmanager:herald/test/EmptyAuditHmacKey");
    const phone = aNumber();
    await send(app, phone);

    // Act
    const response = await erase(app, phone);

    // Assess
    expect(response.status).toBe(503);
    const problem = (await response.json()) as { code: string; detail: string };
    expect(problem.code).toMatch(/^secrets\./);
    expect(problem.detail).toContain("HERALD_AUDIT_HMAC_KEY");
    expect((await itemsNaming(phone)).length).toBe(2);
  });
});
