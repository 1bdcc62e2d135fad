import { afterAll, afterEach, describe, expect, it } from "vitest";
import { api, cleanUp, run, startStack, stopEmulators, until, untilRunning, waitFor, type Local } from "./stack";

afterEach(cleanUp);
afterAll(stopEmulators);

/*
 * The serverless message API's Makefile, the two targets its clients copy:
 *
 *   get:
 *   	curl -H 'X-Api-Key: $(api_key)' https://${api_id}.execute-api.$(aws_region).amazonaws.com/dev/msg?msg_id=$(msg_id)
 *   post:
 *   	curl -X 'POST' -H 'X-Api-Key: $(api_key)' 'https://$(api_id).execute-api.$(aws_region).amazonaws.com/dev/msg?msg_id=$(msg_id)&msg=Testing&subject=test_api&store_secure=$(store_secure)'
 *
 * Run here as make runs a recipe line (sh -c), verbatim but for the base URL (the API Gateway
 * stage URL → npm start's) and the variables make would have filled in.
 */
const getLine = (base: string, apiKey: string, msgId: string) => `curl -H 'X-Api-Key: ${apiKey}' ${base}/msg?msg_id=${msgId}`;
const postLine = (base: string, apiKey: string, msgId: string, storeSecure: string) =>
  `curl -X 'POST' -H 'X-Api-Key: ${apiKey}' '${base}/msg?msg_id=${msgId}&msg=Testing&subject=test_api&store_secure=${storeSecure}' `;

const sh = async (line: string) => (await run("sh", ["-c", line])).stdout;

type LegacyList = { Items: { msg_id: string; timestamp: string; msg: string; subject: string }[]; Count: number; ScannedCount: number };

async function idsTo(local: Local, recipient: string): Promise<string[]> {
  const response = await fetch(`${local.url}/v1/messages?recipient=${encodeURIComponent(recipient)}`, { headers: { "x-api-key": local.apiKey } });
  return ((await response.json()) as { items: { id: string }[] }).items.map((i) => i.id);
}

describe("the old API's Makefile against npm start", () => {
  it("posts with store_secure=False and True, answers as the old API did, sends both, and lists them oldest first", async () => {
    // Prepare
    const stack = await startStack();
    const local = await untilRunning(stack);
    const msgId = "legacy-client@example.com";

    // Act: make post store_secure=False, then store_secure=True, then make get
    const plain = await sh(postLine(local.url, local.apiKey, msgId, "False"));
    const sealed = await sh(postLine(local.url, local.apiKey, msgId, "True"));
    const [sealedId, plainId] = await waitFor("both messages to be listed", async () => {
      const ids = await idsTo(local, msgId);
      return ids.length === 2 ? ids : undefined;
    });
    for (const id of [plainId, sealedId]) await until("the message to be sent", local, id ?? "", "sent");
    const listed = await sh(getLine(local.url, local.apiKey, msgId));

    // Assess: the 201 body byte for byte, as the old clients compare it
    expect(plain).toBe('"Msg sent and stored succesfully for legacy-client@example.com"');
    expect(sealed).toBe('"Msg sent and stored succesfully for legacy-client@example.com"');
    // the DynamoDB Query shape, oldest first, the sealed one without its content
    const list = JSON.parse(listed) as LegacyList;
    expect(Object.keys(list)).toEqual(["Items", "Count", "ScannedCount"]);
    expect([list.Count, list.ScannedCount]).toEqual([2, 2]);
    expect(list.Items.map((i) => Object.keys(i))).toEqual([
      ["msg_id", "timestamp", "msg", "subject"],
      ["msg_id", "timestamp", "msg", "subject"],
    ]);
    expect(list.Items.map((i) => [i.msg_id, i.msg, i.subject])).toEqual([
      [msgId, "Testing", "test_api"],
      [msgId, "(encrypted)", "(encrypted)"],
    ]);
    expect(Date.parse(list.Items[0]?.timestamp ?? "")).toBeLessThanOrEqual(Date.parse(list.Items[1]?.timestamp ?? ""));
    // both went the whole way: SES has them, and the sealed one opens on the v1 route with its role
    const sent = ((await (await fetch(`${local.awsEndpoint}/moto-api/data.json`)).json()) as { ses?: { Message?: { subject: string; destinations: { ToAddresses?: string[] } }[] } }).ses?.Message ?? [];
    expect(sent.filter((m) => m.destinations.ToAddresses?.includes(msgId)).map((m) => m.subject)).toEqual(["test_api", "test_api"]);
    const decrypted = await api(local).decrypt(sealedId ?? "");
    expect(decrypted.status).toBe(200);
    expect(await decrypted.json()).toMatchObject({ text: "Testing", subject: "test_api" });
  });

  it("answers the old API's crash cases with a 400 problem naming the parameter, and a wrong key with 401", async () => {
    // Prepare
    const stack = await startStack();
    const local = await untilRunning(stack);

    // Act
    const noMsgId = await sh(`curl -s -w ' %{http_code}' -X 'POST' -H 'X-Api-Key: ${local.apiKey}' '${local.url}/msg?msg=Testing&subject=test_api&store_secure=False'`);
    const badAddress = await sh(`curl -s -w ' %{http_code}' -H 'X-Api-Key: ${local.apiKey}' '${local.url}/msg?msg_id=not-an-address'`);
    const wrongKey = await sh(`curl -s -o /dev/null -w '%{http_code}' -H 'X-Api-Key: hk_000000000000_wrong' '${local.url}/msg?msg_id=a@example.com'`);

    // Assess
    expect(noMsgId).toMatch(/ 400$/);
    expect(JSON.parse(noMsgId.replace(/ 400$/, ""))).toMatchObject({ status: 400, errors: [{ path: "msg_id", message: "is required" }] });
    expect(badAddress).toMatch(/ 400$/);
    expect(JSON.parse(badAddress.replace(/ 400$/, ""))).toMatchObject({ errors: [{ path: "msg_id" }] });
    expect(wrongKey).toBe("401");
  });
});
