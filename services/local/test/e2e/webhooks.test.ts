import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startWebhookReceiver, type WebhookReceiver } from "@herald/testing";
import { REPO_ROOT } from "../../src/config";
import { api, cleanUp, run, startStack, untilRunning, waitFor } from "./stack";

let receiver: WebhookReceiver | undefined;
afterEach(async () => {
  await receiver?.stop();
  receiver = undefined;
  await cleanUp();
});

const SUCCESS = "success@simulator.amazonses.com";

/** The README's "Status webhooks" registration, run by bash as a reader would paste it. */
async function readmeRegistration(): Promise<string> {
  const readme = await readFile(join(REPO_ROOT, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("### Status webhooks"));
  const command = /```sh\n(curl -sS -X POST "\$URL\/v1\/webhooks"[^]*?)\n# 201/.exec(section)?.[1];
  if (!command) throw new Error("the README's Status webhooks section has no registration curl");
  return command;
}

describe("status webhooks through the local stack", () => {
  it("registers with the README's curl, then a receiver verifies signed message.sent and message.delivered", async () => {
    // Prepare: the stack as npm start runs it, and a receiver where the README's curl points (port 4000 → a free one)
    const stack = await startStack();
    const local = await untilRunning(stack);
    receiver = await startWebhookReceiver();
    const command = (await readmeRegistration()).replaceAll("127.0.0.1:4000", `127.0.0.1:${receiver.port}`);

    // Act: register as the README says, then send an email to the simulator's success address
    const { stdout } = await run("bash", ["-c", command], { env: { ...process.env, URL: local.url, KEY: local.apiKey } });
    const webhook = JSON.parse(stdout) as { id: string; secret: string; event_types: string[]; enabled: boolean };
    expect(webhook).toMatchObject({ enabled: true, event_types: ["message.sent", "message.delivered"] });
    expect(webhook.secret).toMatch(/^whsec_/);
    receiver.setSecrets([webhook.secret]);
    const id = await api(local).send({ channel: "email", to: SUCCESS, subject: "Hello", text: "Deliver me", metadata: { order: "42" } });

    // Assess: both events arrive, verified by standardwebhooks, with no content and a masked address
    // (a standard queue keeps no order between jobs: receivers order by `timestamp`)
    const received = await waitFor("message.sent and message.delivered", () => (receiver && receiver.received.length >= 2 ? receiver.received : undefined), 60_000);
    const sent = received.find((r) => r.event?.type === "message.sent");
    const delivered = received.find((r) => r.event?.type === "message.delivered");
    expect(received.map((r) => r.verified)).toEqual([true, true]);
    expect(Date.parse(String(sent?.event?.timestamp))).toBeLessThanOrEqual(Date.parse(String(delivered?.event?.timestamp)));
    expect(sent?.event?.data).toMatchObject({ message_id: id, status: "sent", channel: "email", metadata: { order: "42" } });
    expect(delivered?.event?.data).toMatchObject({ message_id: id, status: "delivered", recipients: [{ recipient: "s***@simulator.amazonses.com", status: "delivered" }] });
    for (const r of receiver.received) {
      expect(r.body).not.toContain("Deliver me");
      expect(r.body).not.toContain(SUCCESS);
      expect(r.headers["webhook-id"]).toMatch(/^evt_[0-9a-f]{32}$/);
      expect(r.headers["user-agent"]).toMatch(/^Herald-Webhooks\//);
    }
    expect(receiver.received[0]?.headers["webhook-id"]).not.toBe(receiver.received[1]?.headers["webhook-id"]);

    // the delivery log shows both, succeeded at the first attempt; GET never shows the secret
    const headers = { "x-api-key": local.apiKey };
    const log = await waitFor("the delivery log", async () => {
      const page = (await (await fetch(`${local.url}/v1/webhooks/${webhook.id}/deliveries`, { headers })).json()) as { items: { status: string; attempts: { status_code?: number }[] }[] };
      return page.items.length === 2 && page.items.every((d) => d.status === "succeeded") ? page : undefined;
    });
    expect(log.items.map((d) => d.attempts.map((a) => a.status_code))).toEqual([[204], [204]]);
    const view = await (await fetch(`${local.url}/v1/webhooks/${webhook.id}`, { headers })).text();
    expect(view).not.toContain(webhook.secret);
    const state = JSON.parse(await readFile(join(stack.stateDir, "local.json"), "utf8")) as { webhooksQueueUrl?: string };
    expect(state.webhooksQueueUrl).toMatch(/herald-webhooks$/);
  });
});
