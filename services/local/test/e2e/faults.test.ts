import { afterAll, afterEach, describe, expect, it } from "vitest";
import { startAwsProxy, startMoto, type MotoData } from "@herald/testing";
import { api, cleanUp, emulators, proxies, startStack, stopEmulators, untilRunning, waitFor } from "./stack";

afterEach(cleanUp);
afterAll(stopEmulators);

type View = { status: string; attempts: number; provider_message_id?: string; history: { status: string }[] };

describe("fault: SES throttles 30% of the first 100 SendEmail calls", () => {
  it("still delivers every message once, dead-letters none, and retries each throttled send by queue redelivery", async () => {
    // Prepare: of every 10 of the first 100 SendEmail calls, 3 are answered with SES's throttling
    // error. Not for ever: each throttle now costs a receive and a backoff (1-2 s, 2-4 s, ...), and
    // stragglers coming back together would keep meeting the same three throttled slots.
    const moto = await startMoto();
    emulators.push(moto);
    let sendEmails = 0;
    const proxy = await startAwsProxy({
      target: moto.endpoint,
      fault: (operation) => {
        if (operation !== "SESv2.SendEmail") return undefined;
        sendEmails += 1;
        if (sendEmails > 100 || sendEmails % 10 >= 3) return undefined;
        return {
          status: 429,
          headers: { "x-amzn-errortype": "TooManyRequestsException" },
          body: JSON.stringify({ __type: "TooManyRequestsException", message: "Maximum sending rate exceeded." }),
        };
      },
    });
    proxies.push(proxy);
    // Ten receives, as a production queue facing a throttling provider would be set up.
    const stack = await startStack({ AWS_ENDPOINT_URL: proxy.endpoint, HERALD_MAX_RECEIVES: "10", HERALD_EMAIL_MAX_SEND_RATE: "50" });
    const local = await untilRunning(stack);
    const client = api(local);
    const N = 100;

    // Act: one batch of 100
    const started = Date.now();
    const response = await fetch(`${local.url}/v1/messages/batch`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": local.apiKey },
      body: JSON.stringify({ items: Array.from({ length: N }, (_, i) => ({ message: { channel: "email", to: `u${i}@example.com`, subject: `Throttled ${i}`, text: "t" } })) }),
    });
    const { results } = (await response.json()) as { results: { status: number; id: string }[] };
    expect(results.every((r) => r.status === 202)).toBe(true);
    const views = await waitFor(
      "every message to be sent",
      async () => {
        const all = (await Promise.all(results.map((r) => client.get(r.id)))) as unknown as View[];
        if (all.some((v) => v.status === "dead_lettered" || v.status === "failed")) throw new Error("a message failed");
        return all.every((v) => v.status === "sent") ? all : undefined;
      },
      240_000,
    );
    const drainMs = Date.now() - started;

    // Assess
    const throttled = proxy.injected.get("SESv2.SendEmail") ?? 0;
    // The SES client makes one attempt per send (maxAttempts 1): a throttled call is retried by
    // the queue (a new receive, after backoff), never by the SDK. Redeliveries are the attempts
    // past the first.
    const redeliveries = views.reduce((n, v) => n + v.attempts - 1, 0);
    const data = (await moto.data()) as MotoData;
    const delivered = new Map<string, number>();
    for (const m of data.ses?.Message ?? []) delivered.set(m.id, (delivered.get(m.id) ?? 0) + 1);
    process.stdout.write(
      `throttle fault: ${N} messages, ${sendEmails} SendEmail calls, ${throttled} throttled and retried ` +
        `(${throttled - redeliveries} by the SDK, ${redeliveries} by queue redelivery), drained in ${drainMs} ms\n`,
    );
    expect(throttled).toBe(30);
    expect(redeliveries).toBe(throttled);
    // every throttled call was retried, and nothing else was sent twice
    expect(sendEmails).toBe(N + throttled);
    expect(views.every((v) => v.provider_message_id && delivered.get(v.provider_message_id) === 1)).toBe(true);
    expect(data.ses?.Message).toHaveLength(N);
  }, 300_000);
});
