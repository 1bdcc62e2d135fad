/*
 * The app's customer-managed KMS key: encrypts the SQS queues and the DynamoDB table at rest.
 * No explicit key policy: the default one delegates to IAM, so each function gets exactly the
 * kms: actions its own policy names.
 */

export const key = new aws.kms.Key("HeraldKey", {
  description: `Herald ${$app.stage}: SQS, DynamoDB and store_secure encryption`,
  enableKeyRotation: true,
  deletionWindowInDays: 30,
});

export const keyAlias = new aws.kms.Alias("HeraldKeyAlias", {
  name: `alias/herald-${$app.stage}`,
  targetKeyId: key.keyId,
});

/*
 * A second key for store_secure content alone. Every consumer of a KMS-encrypted queue needs
 * kms:Decrypt on the queue key, so sealed content must live under a key of its own for "only the
 * decrypt route may decrypt" to hold: the secure-store consumer may only GenerateDataKey with it,
 * the decrypt route's function may only Decrypt.
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
