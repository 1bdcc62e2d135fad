import type { KMSClient } from "@aws-sdk/client-kms";
import { describe, expect, it } from "vitest";
import { KmsDataKeyProvider } from "../../src/kms-data-key-provider";
import { isZeroed } from "./recording-keys";

/** A KMS client that answers every command with `output`, and keeps it to look at afterwards. */
function kmsAnswering(output: { Plaintext?: Uint8Array; CiphertextBlob?: Uint8Array; KeyId?: string }) {
  return { send: async () => output } as unknown as KMSClient;
}

describe("KmsDataKeyProvider", () => {
  it("keeps a copy of a generated key and zeroes the SDK's", async () => {
    // Prepare
    const output = { Plaintext: new Uint8Array(32).fill(7), CiphertextBlob: new Uint8Array(64).fill(1), KeyId: "arn:aws:kms:eu-west-1:1:key/k" };

    // Act
    const key = await new KmsDataKeyProvider(kmsAnswering(output), "alias/k").generate({ purpose: "test" });

    // Assess
    expect(key.plaintext.equals(Buffer.alloc(32, 7))).toBe(true);
    expect(isZeroed(Buffer.from(output.Plaintext))).toBe(true);
    expect(key.keyId).toBe("arn:aws:kms:eu-west-1:1:key/k");
  });

  it("keeps a copy of an unwrapped key and zeroes the SDK's", async () => {
    // Prepare
    const output = { Plaintext: new Uint8Array(32).fill(9) };

    // Act
    const key = await new KmsDataKeyProvider(kmsAnswering(output)).unwrap(Buffer.alloc(64, 1), { purpose: "test" });

    // Assess
    expect(key.equals(Buffer.alloc(32, 9))).toBe(true);
    expect(isZeroed(Buffer.from(output.Plaintext))).toBe(true);
  });
});
