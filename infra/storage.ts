import { leadingKeys, TABLE, type Partition } from "@herald/table";
import { key } from "./keys";

/*
 * The single `messages` table as packages/table lays it out (local provisioning creates the same):
 * HASH pk, RANGE sk; message records, recipients' history, idempotency keys, API key hashes and
 * rate windows share it. Point-in-time recovery is on by default in sst.aws.Dynamo; encryption
 * uses the app's KMS key instead of the AWS-owned one. Its stream (every write, the item before
 * and after) feeds the webhook fan-out (infra/webhooks.ts).
 */
export const table = new sst.aws.Dynamo("Messages", {
  fields: {
    [TABLE.hashKey]: "string",
    [TABLE.rangeKey]: "string",
  },
  primaryIndex: { hashKey: TABLE.hashKey, rangeKey: TABLE.rangeKey },
  ttl: TABLE.ttlAttribute,
  stream: "new-and-old-images",
  deletionProtection: $app.stage === "production",
  transform: {
    table: {
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true, kmsKeyArn: key.arn },
    },
  },
});

/**
 * DynamoDB actions on the table for these kinds of item only (packages/table's partitions), by an
 * IAM condition on dynamodb:LeadingKeys: e.g. only the authorizer may read an APIKEY item, and no
 * function at all may write one (the keys tool runs with the operator's own credentials).
 */
export function tableAccess(actions: string[], kinds: readonly Partition[]): sst.aws.FunctionPermissionArgs {
  return {
    actions,
    resources: [table.arn],
    conditions: [{ test: "ForAllValues:StringLike", variable: "dynamodb:LeadingKeys", values: leadingKeys(...kinds) }],
  };
}
