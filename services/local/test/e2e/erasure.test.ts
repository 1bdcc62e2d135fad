import { createHash, createHmac } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { DynamoDBClient, QueryCommand, ScanCommand, type AttributeValue } from "@aws-sdk/client-dynamodb";
import { api, cleanUp, startStack, until, untilRunning, waitFor, type Local } from "./stack";

afterEach(cleanUp);

const ERIN = "erin@example.com";
const FRANK = "frank@example.com";

function table(local: Local) {
  const db = new DynamoDBClient({ endpoint: local.awsEndpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
  const plain = (item: Record<string, AttributeValue>) => Object.fromEntries(Object.entries(item).map(([k, v]) => [k, v.S ?? v.N ?? v]));
  return {
    /** Every item of the table that mentions `needle` anywhere, keys included (a content item's gzipped content as its text). */
    naming: async (needle: string) => {
      const found: Record<string, unknown>[] = [];
      let startKey: Record<string, AttributeValue> | undefined;
      do {
        const page = await db.send(new ScanCommand({ TableName: local.tableName, ExclusiveStartKey: startKey }));
        const readable = (item: Record<string, AttributeValue>) =>
          JSON.stringify({ ...item, ...(item.content_gz?.B && { content_gz: gunzipSync(item.content_gz.B).toString("utf8") }) });
        found.push(...(page.Items ?? []).filter((item) => readable(item).toLowerCase().includes(needle)));
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      return found;
    },
    /** The items of one partition, string and number attributes as plain values. */
    partition: async (pk: string) =>
      ((await db.send(new QueryCommand({ TableName: local.tableName, KeyConditionExpression: "pk = :pk", ExpressionAttributeValues: { ":pk": { S: pk } } }))).Items ?? []).map(plain),
  };
}

describe("erasure through the local stack", () => {
  it("erases an address with POST: nothing lists it or holds it, and the audit knows it only by an HMAC", async () => {
    // Prepare: a plain email to erin (cc frank) with her address in its metadata, big enough for
    // its content to be kept in an item of its own, and a store_secure one to her
    const stack = await startStack();
    const local = await untilRunning(stack);
    const client = api(local);
    const headers = { "x-api-key": local.apiKey };
    const plain = await client.send({
      channel: "email",
      to: ERIN,
      cc: FRANK,
      subject: "Receipt",
      text: `Thanks. ${"Your receipt for order 1001 is attached. ".repeat(30)}`,
      metadata: { customer: ERIN },
    });
    const secure = await client.send({ channel: "email", to: ERIN, subject: "Code", text: "Your code is 4711", store_secure: true });
    await until("the plain email to be sent", local, plain, "sent");
    await until("the secure email to be sent", local, secure, "sent");
    await waitFor("the secure content to be sealed", async () => ((await client.decrypt(secure)).status === 200 ? true : undefined));
    expect((await table(local).naming(ERIN)).length).toBeGreaterThanOrEqual(5);
    expect((await table(local).partition(`MSG#${plain}`)).map((item) => item.sk)).toEqual(["CONTENT", "MSG"]);

    // Act
    const response = await client.erase("Erin@Example.com");

    // Assess: the answer
    expect(response.status).toBe(200);
    const erasure = (await response.json()) as { erased: number; at: string; first_erased_at: string };
    expect(erasure).toEqual({ erased: 2, at: expect.any(String), first_erased_at: erasure.at });
    // listing her, v1 and the legacy API, finds nothing
    const listed = await fetch(`${local.url}/v1/messages?recipient=${encodeURIComponent(ERIN)}`, { headers });
    expect(await listed.json()).toEqual({ items: [], next_cursor: null });
    const legacy = await fetch(`${local.url}/msg?msg_id=${encodeURIComponent(ERIN)}`, { headers });
    expect(await legacy.json()).toMatchObject({ Items: [], Count: 0 });
    // each message shows itself erased, without her address, its content or its metadata
    for (const id of [plain, secure]) {
      const view = await client.get(id);
      expect(view).toMatchObject({ id, erased: true, erased_at: erasure.at });
      expect(JSON.stringify(view).toLowerCase()).not.toContain(ERIN);
      for (const field of ["to", "cc", "subject", "text", "metadata"]) expect(view).not.toHaveProperty(field);
    }
    expect((await client.decrypt(secure)).status).toBe(410);
    for (const id of [plain, secure]) expect((await table(local).partition(`MSG#${id}`)).map((item) => item.sk)).toEqual(["MSG"]);
    // no item of the table names her: no record field, no history entry, no audit entry
    expect(await table(local).naming(ERIN)).toEqual([]);
    // the audit entry is under HMAC-SHA-256 with the stack's generated key, not her plain SHA-256
    expect(local.auditHmacKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const hmac = createHmac("sha256", local.auditHmacKey ?? "").update(ERIN).digest("hex");
    const sha256 = createHash("sha256").update(ERIN).digest("hex");
    expect(hmac).not.toBe(sha256);
    expect(await table(local).partition(`AUDIT#local#${hmac}`)).toEqual([
      expect.objectContaining({ action: "erase_recipient", principal: "key:local-admin", recipient_hmac: hmac, messages: "2", at: erasure.at }),
    ]);
    expect(await table(local).partition(`AUDIT#local#${sha256}`)).toEqual([]);
    expect(JSON.stringify(await table(local).naming("audit#"))).not.toContain(sha256);
    // frank was not erased: his history still lists the shared message, erased
    const franks = (await (await fetch(`${local.url}/v1/messages?recipient=${encodeURIComponent(FRANK)}`, { headers })).json()) as { items: { id: string }[] };
    expect(franks.items.map((i) => i.id)).toEqual([plain]);

    // Act: again
    const again = await client.erase(ERIN);

    // Assess: nothing left to erase, and the first erasure confirmed
    expect(await again.json()).toMatchObject({ erased: 0, first_erased_at: erasure.at });
    const serviceLines = stack.output().split("\n").filter((line) => /^\[(ingest|email|sms|secure-store)\] /.test(line));
    expect(serviceLines.filter((line) => line.toLowerCase().includes(ERIN) || line.includes(local.auditHmacKey ?? "?"))).toEqual([]);
  });
});
