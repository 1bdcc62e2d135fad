import { STORE_SECURE_PURPOSE, WEBHOOK_SECRET_PURPOSE } from "@herald/crypto/context";
import { ingest, ingestDecrypt } from "./api";
import { dataKey, webhookKey } from "./keys";
import { dataKeyPolicy } from "./policies";
import { secureStoreConsumer } from "./secure-store";
import { webhooksConsumer } from "./webhooks";

/*
 * The data key's own policy, replacing the default one (which lets any IAM policy of the account
 * grant its use): the account may administer the key, the secure-store consumer's role may
 * GenerateDataKey and IngestDecrypt's role may Decrypt, both for the store_secure context only
 * (infra/policies.ts says why the account stays in).
 *
 * A resource of its own, declared after the functions: the roles SST makes for them already name
 * the data key in their own policies, so the key cannot name the roles when it is created (a
 * cycle). KMS checks that every principal exists when the policy is put; this resource depends on
 * the roles, so they do. Removing it (or `sst remove`) gives the key AWS's default policy back.
 * Imported by sst.config.ts after infra/api.ts.
 */
const partition = aws.getPartitionOutput();
const caller = aws.getCallerIdentityOutput();
const sealer = secureStoreConsumer.nodes.function.apply((fn) => fn.nodes.role.arn);
const opener = ingestDecrypt.nodes.role.arn;

export const dataKeyPolicyAttachment = new aws.kms.KeyPolicy("HeraldDataKeyPolicy", {
  keyId: dataKey.keyId,
  policy: $resolve([partition.partition, caller.accountId, sealer, opener]).apply(([p, accountId, sealerArn, openerArn]) =>
    JSON.stringify(dataKeyPolicy({ partition: p, accountId, sealers: [sealerArn], openers: [openerArn], purpose: STORE_SECURE_PURPOSE })),
  ),
});

/*
 * The webhook key's, the same way: Ingest seals an endpoint's signing secret (GenerateDataKey)
 * when it is registered or rotated, the webhook consumer opens it to sign (Decrypt), both for the
 * webhook-secret context only.
 */
const webhookSealer = ingest.nodes.role.arn;
const webhookOpener = webhooksConsumer.nodes.function.apply((fn) => fn.nodes.role.arn);

export const webhookKeyPolicyAttachment = new aws.kms.KeyPolicy("HeraldWebhookKeyPolicy", {
  keyId: webhookKey.keyId,
  policy: $resolve([partition.partition, caller.accountId, webhookSealer, webhookOpener]).apply(([p, accountId, sealerArn, openerArn]) =>
    JSON.stringify(dataKeyPolicy({ partition: p, accountId, sealers: [sealerArn], openers: [openerArn], purpose: WEBHOOK_SECRET_PURPOSE })),
  ),
});
