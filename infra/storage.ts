import { key } from "./keys";

/*
 * The single `messages` table (see packages/messages): HASH pk, RANGE sk; message records,
 * per-recipient history entries and API key hashes share it. Point-in-time recovery is on by
 * default in sst.aws.Dynamo; encryption uses the app's KMS key instead of the AWS-owned one.
 */
export const table = new sst.aws.Dynamo("Messages", {
  fields: {
    pk: "string",
    sk: "string",
  },
  primaryIndex: { hashKey: "pk", rangeKey: "sk" },
  ttl: "expires_at",
  deletionProtection: $app.stage === "production",
  transform: {
    table: {
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true, kmsKeyArn: key.arn },
    },
  },
});
