import { describe, expect, it } from "vitest";
import { dataKeyPolicy, sesSendPermissions, smsOnlyPublish } from "../../../../infra/policies";
import { EnvelopeCipher, sealContent, STORE_SECURE_PURPOSE, type DataKey, type DataKeyProvider } from "../../src";
import { MemoryDataKeyProvider } from "../../src/memory-data-key-provider";

/** IAM's StringLike / action and resource matching: `*` any run, `?` one character. */
const matches = (pattern: string, value: string) =>
  new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`).test(value);

const SEALER = "arn:aws:iam::111122223333:role/herald-you-SecureStoreRole-abc";
const OPENER = "arn:aws:iam::111122223333:role/herald-you-IngestDecryptRole-def";
const policy = dataKeyPolicy({ partition: "aws", accountId: "111122223333", sealers: [SEALER], openers: [OPENER], purpose: STORE_SECURE_PURPOSE });
const actionsOf = (action: string | readonly string[]) => (typeof action === "string" ? [action] : [...action]);

describe("the data key's policy", () => {
  it("lets the account administer the key but use it for nothing", () => {
    // Prepare
    const account = policy.Statement.filter((s) => s.Principal.AWS === "arn:aws:iam::111122223333:root");
    const use = ["Encrypt", "Decrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "GenerateDataKeyPair", "ReEncryptFrom", "ReEncryptTo", "CreateGrant"];

    // Act
    const granted = use.filter((action) => account.some((s) => actionsOf(s.Action).some((pattern) => matches(pattern, `kms:${action}`))));

    // Assess
    expect(account).toHaveLength(1);
    expect(granted).toEqual([]);
    for (const admin of ["PutKeyPolicy", "GetKeyPolicy", "DescribeKey", "EnableKeyRotation", "ScheduleKeyDeletion", "CreateAlias", "TagResource"]) {
      expect(actionsOf(account[0]?.Action ?? []).some((pattern) => matches(pattern, `kms:${admin}`)), admin).toBe(true);
    }
  });

  it("lets the secure-store role only generate and IngestDecrypt's only decrypt, for store_secure with a tenant", () => {
    // Act
    const users = policy.Statement.filter((s) => s.Principal.AWS !== "arn:aws:iam::111122223333:root");

    // Assess
    expect(users.map((s) => [s.Principal.AWS, s.Action])).toEqual([
      [[SEALER], "kms:GenerateDataKey"],
      [[OPENER], "kms:Decrypt"],
    ]);
    for (const s of users) {
      expect(s.Condition).toEqual({
        StringEquals: { "kms:EncryptionContext:purpose": "herald:store_secure" },
        Null: { "kms:EncryptionContext:tenant": "false" },
      });
    }
  });

  it("names the context the cipher really asks KMS for", async () => {
    // Prepare
    const asked: Record<string, string>[] = [];
    const inner = new MemoryDataKeyProvider();
    const keys: DataKeyProvider = {
      generate: (context): Promise<DataKey> => {
        asked.push(context);
        return inner.generate(context);
      },
      unwrap: (wrapped, context) => inner.unwrap(wrapped, context),
    };

    // Act
    await sealContent(new EnvelopeCipher(keys), { id: "m1", tenant: "acme", recipients: ["+447911123456"] }, { channel: "sms", to: "+447911123456", text: "x" });

    // Assess
    expect(asked).toEqual([{ purpose: STORE_SECURE_PURPOSE, tenant: "acme" }]);
  });
});

describe("sesSendPermissions", () => {
  it("sends only as the configured sender and the allowed ones, and never raw", () => {
    // Act
    const statements = sesSendPermissions(["arn:aws:ses:eu-west-1:1:identity/*"], { from: "noreply@example.com", senders: ["alerts@example.com", "@Mail.Example.org"] });

    // Assess
    expect(statements).toEqual([
      {
        actions: ["ses:SendEmail"],
        resources: ["arn:aws:ses:eu-west-1:1:identity/*"],
        conditions: [{ test: "StringEqualsIgnoreCase", variable: "ses:FromAddress", values: ["noreply@example.com", "alerts@example.com"] }],
      },
      {
        actions: ["ses:SendEmail"],
        resources: ["arn:aws:ses:eu-west-1:1:identity/*"],
        conditions: [{ test: "StringLike", variable: "ses:FromAddress", values: ["*@Mail.Example.org", "*@mail.example.org"] }],
      },
    ]);
    const domain = statements[1]?.conditions?.[0]?.values ?? [];
    expect(domain.some((p) => matches(p, "anyone@mail.example.org"))).toBe(true);
    expect(domain.some((p) => matches(p, "anyone@evil-mail.example.org"))).toBe(false);
  });

  it("allows the default sender alone when no others are configured", () => {
    expect(sesSendPermissions(["*"], { from: "noreply@example.com", senders: [] })).toEqual([
      { actions: ["ses:SendEmail"], resources: ["*"], conditions: [{ test: "StringEqualsIgnoreCase", variable: "ses:FromAddress", values: ["noreply@example.com"] }] },
    ]);
  });
});

describe("smsOnlyPublish", () => {
  it("allows Publish without a resource (a phone number) and denies it on every topic and endpoint", () => {
    // Act
    const [allow, deny] = smsOnlyPublish("arn:aws:sns:*:*:*");

    // Assess
    expect(allow).toEqual({ actions: ["sns:Publish"], resources: ["*"] });
    expect(deny).toEqual({ effect: "deny", actions: ["sns:Publish"], resources: ["arn:aws:sns:*:*:*"] });
    for (const arn of ["arn:aws:sns:eu-west-1:111122223333:orders", "arn:aws:sns:us-east-1:444455556666:endpoint/APNS/app/0a1b"]) {
      expect(matches("arn:aws:sns:*:*:*", arn), arn).toBe(true);
    }
  });
});
