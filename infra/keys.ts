import { STORE_SECURE_PURPOSE, WEBHOOK_SECRET_PURPOSE } from "@herald/crypto/context";
import { storeSecureContext } from "./policies";

/*
 * The app's customer-managed KMS key: encrypts the SQS queues and the DynamoDB table at rest.
 * No explicit key policy: the default one delegates to IAM, so each function gets exactly the
 * kms: actions its own policy names (the data key below has one of its own, infra/key-policy.ts).
 *
 * Who needs it, and why: SQS encrypts and decrypts with it on behalf of whoever sends
 * (kms:GenerateDataKey + kms:Decrypt) or receives (kms:Decrypt); DynamoDB decrypts the table key
 * with it on behalf of every reader and writer of the table (kms:Decrypt; without it GetItem and
 * PutItem fail with a KMS AccessDeniedException). Grants on it go through `appKey()`, which adds
 * a kms:ViaService condition: a function lets SQS or DynamoDB use the key for it but can never
 * call KMS with it directly.
 */

export const key = new aws.kms.Key("HeraldKey", {
  description: `Herald ${$app.stage}: SQS and DynamoDB encryption at rest`,
  enableKeyRotation: true,
  deletionWindowInDays: 30,
});

export const keyAlias = new aws.kms.Alias("HeraldKeyAlias", {
  name: `alias/herald-${$app.stage}`,
  targetKeyId: key.keyId,
});

const region = aws.getRegionOutput();
const partition = aws.getPartitionOutput();

/** The services that use the app key on a function's behalf. */
export type AppKeyUser = "sqs" | "dynamodb";

/**
 * A permission on the app key that holds only for requests SQS or DynamoDB (as named) make for
 * the function: kms:ViaService is `<service>.<region>.<dns suffix>`, e.g. sqs.eu-west-1.amazonaws.com.
 */
export function appKey(actions: string[], via: AppKeyUser[]): sst.aws.FunctionPermissionArgs {
  return {
    actions,
    resources: [key.arn],
    conditions: [
      {
        test: "StringEquals",
        variable: "kms:ViaService",
        values: via.map((service) => $interpolate`${service}.${region.name}.${partition.dnsSuffix}`),
      },
    ],
  };
}

/*
 * A second key for store_secure content alone. Every consumer of a KMS-encrypted queue (and
 * every reader of the table) needs kms:Decrypt on the app key, so sealed content must live under
 * a key of its own for "only the decrypt route may decrypt" to hold: the secure-store consumer
 * may only GenerateDataKey with it (infra/secure-store.ts), IngestDecrypt may only Decrypt
 * (infra/api.ts), and no other function has any right on it. The app calls KMS with it directly
 * (envelope encryption, packages/crypto), so these grants carry no kms:ViaService condition; they
 * carry the store_secure encryption context instead (`dataKeyUse()`). Its key policy
 * (infra/key-policy.ts, declared once the two roles exist) names those two roles and leaves the
 * account administration only, so no IAM policy elsewhere in the account can grant its use.
 */
export const dataKey = new aws.kms.Key("HeraldDataKey", {
  description: `Herald ${$app.stage}: store_secure data keys`,
  enableKeyRotation: true,
  deletionWindowInDays: 30,
});

export const dataKeyAlias = new aws.kms.Alias("HeraldDataKeyAlias", {
  name: `alias/herald-${$app.stage}-data`,
  targetKeyId: dataKey.keyId,
});

/**
 * A permission on the data key for store_secure data keys only: the purpose packages/crypto asks
 * for, with a tenant (the key policy requires the same, infra/key-policy.ts).
 */
export function dataKeyUse(actions: ("kms:GenerateDataKey" | "kms:Decrypt")[]): sst.aws.FunctionPermissionArgs {
  return { actions, resources: [dataKey.arn], conditions: storeSecureContext(STORE_SECURE_PURPOSE) };
}

/*
 * A third key for the webhook signing secrets, for the same reason: Ingest seals a secret when an
 * endpoint is registered or rotated (GenerateDataKey) and the webhook consumer opens it to sign
 * (Decrypt); nothing else may, and neither may touch store_secure content (the data key) with it.
 * Its policy is in infra/key-policy.ts.
 */
export const webhookKey = new aws.kms.Key("HeraldWebhookKey", {
  description: `Herald ${$app.stage}: webhook signing secrets`,
  enableKeyRotation: true,
  deletionWindowInDays: 30,
});

export const webhookKeyAlias = new aws.kms.Alias("HeraldWebhookKeyAlias", {
  name: `alias/herald-${$app.stage}-webhooks`,
  targetKeyId: webhookKey.keyId,
});

/** A permission on the webhook key for webhook secrets only (the purpose packages/crypto asks for, with a tenant). */
export function webhookKeyUse(actions: ("kms:GenerateDataKey" | "kms:Decrypt")[]): sst.aws.FunctionPermissionArgs {
  return { actions, resources: [webhookKey.arn], conditions: storeSecureContext(WEBHOOK_SECRET_PURPOSE) };
}
