/*
 * The app's customer-managed KMS key: encrypts the SQS queues and the DynamoDB table at rest,
 * and (with the secure-store consumer) the envelope keys of `store_secure` content. No explicit
 * key policy: the default one delegates to IAM, so each function gets exactly the kms: actions
 * its own policy names.
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
