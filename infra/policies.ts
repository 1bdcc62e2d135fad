/*
 * Policy documents as plain data: no SST or Pulumi globals, so a test can build and read them
 * (packages/crypto/test/unit/infra-policies.test.ts). Resources are a type parameter: infra
 * passes Pulumi Outputs, tests pass strings.
 */

export type PolicyCondition = { test: string; variable: string; values: string[] };

/** One statement of a function's role, as sst.aws.Function's `permissions` takes it. */
export type Permission<R = string> = {
  effect?: "allow" | "deny";
  actions: string[];
  resources: R[];
  conditions?: PolicyCondition[];
};

// ---------------------------------------------------------------------------------------------
// The data key (store_secure)

/**
 * What every use of the data key must carry: the purpose packages/crypto seals under, and a tenant
 * (packages/crypto/src/context.ts). Both in the key policy and in the roles' own grants.
 */
export function storeSecureContext(purpose: string): PolicyCondition[] {
  return [
    { test: "StringEquals", variable: "kms:EncryptionContext:purpose", values: [purpose] },
    { test: "Null", variable: "kms:EncryptionContext:tenant", values: ["false"] },
  ];
}

/*
 * The account may administer the key and nothing more: no Encrypt, Decrypt, GenerateDataKey or
 * ReEncrypt, and no CreateGrant (which would let an IAM policy hand those out). The account root
 * (which means "IAM policies of this account decide", not the root user alone) must stay in: KMS
 * refuses a key policy that would lock out the principal putting it (the lockout safety check),
 * and a key whose policy names only the functions' roles could be neither changed nor deleted once
 * those roles are gone, except through AWS Support. The wildcards are the families AWS's own key
 * administrator statement grants; Pulumi reads and updates the key, its alias, rotation and
 * policy with them, and `sst remove` schedules the deletion.
 */
export const KEY_ADMINISTRATION = [
  "kms:CreateAlias",
  "kms:Describe*",
  "kms:Enable*",
  "kms:List*",
  "kms:Put*",
  "kms:Update*",
  "kms:Revoke*",
  "kms:Disable*",
  "kms:Get*",
  "kms:Delete*",
  "kms:TagResource",
  "kms:UntagResource",
  "kms:ScheduleKeyDeletion",
  "kms:CancelKeyDeletion",
  "kms:RotateKeyOnDemand",
] as const;

export type DataKeyPolicyArgs = {
  partition: string;
  accountId: string;
  /** Roles that may generate data keys (seal, never open): the secure-store consumer's. */
  sealers: string[];
  /** Roles that may unwrap data keys (open): IngestDecrypt's. */
  openers: string[];
  purpose: string;
};

type Statement = {
  Sid: string;
  Effect: "Allow";
  Principal: { AWS: string | string[] };
  Action: string | readonly string[];
  Resource: "*";
  Condition?: Record<string, Record<string, string | string[]>>;
};

export type KeyPolicyDocument = { Version: "2012-10-17"; Id: string; Statement: Statement[] };

/** The data key's policy: the account administers it, two roles use it, under one purpose. */
export function dataKeyPolicy(args: DataKeyPolicyArgs): KeyPolicyDocument {
  const condition = conditionBlock(storeSecureContext(args.purpose));
  return {
    Version: "2012-10-17",
    Id: "herald-data-key",
    Statement: [
      {
        Sid: "AccountAdministersOnly",
        Effect: "Allow",
        Principal: { AWS: `arn:${args.partition}:iam::${args.accountId}:root` },
        Action: KEY_ADMINISTRATION,
        Resource: "*",
      },
      { Sid: "SecureStoreSeals", Effect: "Allow", Principal: { AWS: args.sealers }, Action: "kms:GenerateDataKey", Resource: "*", Condition: condition },
      { Sid: "IngestDecryptOpens", Effect: "Allow", Principal: { AWS: args.openers }, Action: "kms:Decrypt", Resource: "*", Condition: condition },
    ],
  };
}

/** SST's condition list as a policy document's Condition block. */
function conditionBlock(conditions: PolicyCondition[]): Record<string, Record<string, string | string[]>> {
  const block: Record<string, Record<string, string | string[]>> = {};
  for (const { test, variable, values } of conditions) {
    block[test] = { ...block[test], [variable]: values.length === 1 && values[0] !== undefined ? values[0] : values };
  }
  return block;
}

// ---------------------------------------------------------------------------------------------
// SES (the email consumer)

/**
 * `ses:SendEmail` on the identities, only with an allowed `from` (HERALD_EMAIL_FROM and
 * HERALD_EMAIL_SENDERS, which ingest checks every message against): an address matched as
 * ingest matches it, ignoring case; `@domain` as `*@domain`. IAM has no case-insensitive
 * wildcard match, so a domain matches as configured and in lower case only.
 *
 * SES API v2's SendEmail is authorised as ses:SendEmail whatever its content (Simple, Raw or
 * Template), so ses:SendRawEmail (the v1 API's action, also what SES's SMTP interface checks
 * for the SMTP credentials' own IAM user) is not granted.
 */
export function sesSendPermissions<R>(resources: R[], senders: { from: string; senders: readonly string[] }): Permission<R>[] {
  const entries = [senders.from, ...senders.senders];
  const addresses = unique(entries.filter((entry) => !entry.startsWith("@")));
  const domains = unique(entries.filter((entry) => entry.startsWith("@")).flatMap((domain) => [`*${domain}`, `*${domain.toLowerCase()}`]));
  return [
    { actions: ["ses:SendEmail"], resources, conditions: [{ test: "StringEqualsIgnoreCase", variable: "ses:FromAddress", values: addresses }] },
    ...(domains.length > 0
      ? [{ actions: ["ses:SendEmail"], resources, conditions: [{ test: "StringLike", variable: "ses:FromAddress", values: domains }] }]
      : []),
  ];
}

// ---------------------------------------------------------------------------------------------
// SNS (the sms consumer)

/**
 * `sns:Publish` to phone numbers only. A Publish with PhoneNumber names no resource to scope an
 * Allow to (hence "*"), and SNS has no condition key for it (sns:Endpoint and sns:Protocol are
 * about subscriptions), so the Deny on every SNS ARN keeps topics and platform endpoints out
 * (TopicArn / TargetArn), whatever the Allow on "*" would let through. `anySnsArn` is
 * `arn:<partition>:sns:*:*:*`.
 */
export function smsOnlyPublish<R>(anySnsArn: R): Permission<R | "*">[] {
  return [
    { actions: ["sns:Publish"], resources: ["*"] },
    { effect: "deny", actions: ["sns:Publish"], resources: [anySnsArn] },
  ];
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
