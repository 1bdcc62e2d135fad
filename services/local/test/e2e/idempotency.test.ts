import { afterAll, afterEach, describe, expect, it } from "vitest";
import { startAwsProxy, startMoto, type MotoData } from "@herald/testing";
import { cleanUp, emulators, proxies, startStack, stopEmulators, until, untilRunning, api } from "./stack";

afterEach(cleanUp);
afterAll(stopEmulators);

const LEASE_SECONDS = 2;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("Idempotency-Key through the local stack", () => {
  it("answers a retry from the message once the lease runs out when the first request could not complete its key, and sends one email", async () => {
    // Prepare: DynamoDB fails every write that completes an Idempotency-Key (an UpdateItem on an
    // IDEM# item setting it done), as it might for one request, until the test lets it through
    const moto = await startMoto();
    emulators.push(moto);
    let failCompletes = true;
    const proxy = await startAwsProxy({
      target: moto.endpoint,
      fault: (operation, body) =>
        failCompletes && operation === "DynamoDB.UpdateItem" && body.includes('"IDEM#') && body.includes('{"S":"done"}')
          ? {
              status: 500,
              headers: { "x-amzn-errortype": "InternalServerError" },
              body: JSON.stringify({ __type: "com.amazonaws.dynamodb.v20120810#InternalServerError", message: "Internal server error" }),
            }
          : undefined,
    });
    proxies.push(proxy);
    const stack = await startStack({ AWS_ENDPOINT_URL: proxy.endpoint, HERALD_IDEMPOTENCY_LEASE_SECONDS: String(LEASE_SECONDS) });
    const local = await untilRunning(stack);
    const recipient = "lease@example.com";
    const send = async () => {
      const response = await fetch(`${local.url}/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": local.apiKey, "idempotency-key": "order-lease-1" },
        body: JSON.stringify({ channel: "email", to: recipient, subject: "Your receipt", text: "Thanks." }),
      });
      return { status: response.status, replayed: response.headers.get("idempotent-replayed"), body: (await response.json()) as { id?: string; code?: string } };
    };

    // Act
    const first = await send();
    const during = await send();
    await sleep(LEASE_SECONDS * 1000 + 500);
    failCompletes = false;
    const after = await send();
    const again = await send();

    // Assess: the message was queued, so the first request is 202 although its key could not be
    // completed; a retry while it holds the key is told to wait; after the lease the retry takes
    // the key over and answers with the same message (and completes the key: the next is a replay)
    expect(first.status).toBe(202);
    expect(proxy.injected.get("DynamoDB.UpdateItem")).toBeGreaterThanOrEqual(1);
    expect(during).toMatchObject({ status: 409, body: { code: "idempotency.in_progress" } });
    expect(after).toEqual({ status: 202, replayed: "true", body: first.body });
    expect(again).toEqual({ status: 202, replayed: "true", body: first.body });
    const id = first.body.id ?? "";
    await until("the message to be sent", local, id, "sent");
    const listed = (await (await fetch(`${local.url}/v1/messages?recipient=${recipient}`, { headers: { "x-api-key": local.apiKey } })).json()) as {
      items: { id: string }[];
    };
    expect(listed.items.map((m) => m.id)).toEqual([id]);
    const view = await api(local).get(id);
    const data = (await moto.data()) as MotoData;
    expect((data.ses?.Message ?? []).filter((m) => m.destinations.ToAddresses?.includes(recipient)).map((m) => m.id)).toEqual([view.provider_message_id]);
  }, 120_000);
});
