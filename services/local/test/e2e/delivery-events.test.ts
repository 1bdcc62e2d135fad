import { afterEach, describe, expect, it } from "vitest";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { sesEvent, snsWrapped } from "@herald/testing";
import { api, cleanUp, startStack, until, untilRunning, waitFor } from "./stack";

afterEach(cleanUp);

const BOUNCE = "bounce@simulator.amazonses.com";
const SUCCESS = "success@simulator.amazonses.com";

type View = { status: string; outcomes?: Record<string, { status: string; bounce_type?: string; bounce_subtype?: string }>; history: { status: string }[]; failure?: { reason: string } };

describe("delivery events through the local stack", () => {
  it("ends bounced and suppressed, refuses the next send without SES, delivers to success@, and keeps a bounce against a late Delivery", async () => {
    // Prepare
    const stack = await startStack();
    const local = await untilRunning(stack);
    const state = JSON.parse(await readFile(join(stack.stateDir, "local.json"), "utf8")) as { eventsQueueUrl: string };
    expect(state.eventsQueueUrl).toMatch(/herald-events$/);
    const client = api(local);
    const headers = { "content-type": "application/json", "x-api-key": local.apiKey };
    const sesSends = async () => {
      const data = (await (await fetch(`${local.awsEndpoint}/moto-api/data.json`)).json()) as { ses?: { sent_messages?: unknown[] }; sesv2?: unknown };
      return JSON.stringify(data).split(BOUNCE).length - 1;
    };

    // Act: the simulator's bounce address, then its success address
    const bounced = await client.send({ channel: "email", to: BOUNCE, subject: "Hello", text: "Bounce me" });
    const delivered = await client.send({ channel: "email", to: SUCCESS, subject: "Hello", text: "Deliver me" });

    // Assess: bounced, with its type and subtype, and the address suppressed because of that message
    await until("the bounce", local, bounced, "bounced");
    const view = (await client.get(bounced)) as unknown as View;
    expect(view.outcomes?.[BOUNCE]).toMatchObject({ status: "bounced", bounce_type: "Permanent", bounce_subtype: "General" });
    const suppression = await waitFor("the suppression", async () => {
      const r = await fetch(`${local.url}/v1/suppressions/${encodeURIComponent(BOUNCE)}`, { headers });
      return r.status === 200 ? ((await r.json()) as Record<string, unknown>) : undefined;
    });
    expect(suppression).toMatchObject({ address: BOUNCE, reason: "bounce", message_id: bounced });
    await until("the delivery", local, delivered, "delivered");

    // a second email to it is refused as suppressed, and never reaches SES
    const before = await sesSends();
    expect(before).toBeGreaterThan(0); // the first email did reach SES, and the count sees it
    const second = await fetch(`${local.url}/v1/messages`, { method: "POST", headers, body: JSON.stringify({ channel: "email", to: BOUNCE, subject: "Again", text: "No" }) });
    expect(second.status).toBe(202);
    const accepted = (await second.json()) as { id: string; status: string; suppressed: string[] };
    expect(accepted).toMatchObject({ status: "failed", suppressed: [BOUNCE] });
    expect(((await client.get(accepted.id)) as unknown as View).failure).toMatchObject({ reason: "suppressed" });
    await new Promise((r) => setTimeout(r, 1500));
    expect(await sesSends()).toBe(before);

    // an out-of-order Delivery put on the events queue after the Bounce leaves it bounced
    const sqs = new SQSClient({ endpoint: local.awsEndpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
    const late = sesEvent("Delivery", { heraldMessageId: bounced, recipients: [BOUNCE], at: new Date(Date.now() - 60_000) });
    await sqs.send(new SendMessageCommand({ QueueUrl: state.eventsQueueUrl, MessageBody: JSON.stringify(snsWrapped(late)) }));
    await waitFor("the late event to be consumed", async () => {
      const left = await sqs.send(new ReceiveMessageCommand({ QueueUrl: state.eventsQueueUrl, WaitTimeSeconds: 0, VisibilityTimeout: 0 }));
      return (left.Messages ?? []).length === 0 ? true : undefined;
    });
    await new Promise((r) => setTimeout(r, 1000));
    expect(((await client.get(bounced)) as unknown as View).status).toBe("bounced");
  });
});
