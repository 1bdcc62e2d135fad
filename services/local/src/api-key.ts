import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { createApiKey, hashApiKey } from "@herald/auth";
import { DynamoApiKeyStore } from "@herald/auth/dynamo";
import { ALL_ROLES } from "@herald/contracts";
import type { AwsClientConfig } from "@herald/testing";

/** Reuses the key from a previous run when the emulator still knows it with every role; otherwise makes one. */
export async function ensureLocalApiKey(tableName: string, previous: string | undefined, client: AwsClientConfig = {}): Promise<string> {
  const store = new DynamoApiKeyStore(new DynamoDBClient(client), tableName);
  if (previous) {
    const record = await store.findByHash(hashApiKey(previous));
    // A key from before a role existed (messages:suppressions) is replaced, so the local key can do everything.
    if (record && !record.revoked_at && ALL_ROLES.every((role) => record.roles.includes(role))) return previous;
  }
  const { key } = await createApiKey(store, {
    tenant: "local",
    principal: "local-admin",
    roles: [...ALL_ROLES],
    description: "created by npm start",
  });
  return key;
}
