import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { WebhookEvent, WebhookJob } from "@herald/contracts";
import { EnvelopeCipher } from "@herald/crypto";
import { MemoryDataKeyProvider } from "@herald/crypto/memory";
import { createLogger } from "@herald/platform";
import { NotStartedError } from "@herald/queue";
import { startWebhookReceiver, type WebhookReceiver } from "@herald/testing";
import { deliveryIdFor, eventIdFor, generateSecret, newWebhookId, openSecret, sealSecret, type WebhookEndpoint } from "@herald/webhooks";
import { postWebhook } from "@herald/webhooks/http";
import { MemoryWebhookStore } from "@herald/webhooks/memory";
import { deliverJob, postTimeoutMs, WebhookPostFailed, type WebhookDeps } from "../../src/domain/deliver-job";

const HOUR = 3600_000;
// real time: standardwebhooks refuses a webhook-timestamp more than 5 minutes from its clock
let now = new Date();
let receiver: WebhookReceiver;
let store: MemoryWebhookStore;
let cipher: EnvelopeCipher;
let deps: WebhookDeps;
/** What the receiver answers the nth request; 204 unless a test says otherwise. */
let answers: number[] = [];

beforeEach(async () => {
  answers = [];
  now = new Date();
  receiver = await startWebhookReceiver({ respond: (n, r) => answers[n - 1] ?? (r.verified ? 204 : 401) });
  store = new MemoryWebhookStore();
  cipher = new EnvelopeCipher(new MemoryDataKeyProvider());
  deps = {
    store,
    openSecret: (tenant, id, secret) => openSecret(cipher, tenant, id, secret),
    post: postWebhook,
    clock: { now: () => now },
    logger: createLogger("test", "SILENT"),
    settings: { timeoutMs: 2000, maxAttempts: 4, disableAfterMs: 72 * HOUR, policy: { allowLoopback: true } },
  };
});
afterEach(() => receiver.stop());

async function register(overrides: Partial<WebhookEndpoint> = {}): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  const id = newWebhookId();
  const secret = generateSecret();
  const endpoint: WebhookEndpoint = {
    id,
    tenant: "acme",
    principal: "key:test",
    url: `${receiver.url}/herald`,
    event_types: ["message.sent"],
    include_recipients: false,
    enabled: true,
    created_at: now.toISOString(),
    updated_at: now.toISOString(),
    secrets: [await sealSecret(cipher, "acme", id, secret, now)],
    ...overrides,
  };
  await store.create(endpoint);
  receiver.setSecrets([secret]);
  return { endpoint, secret };
}

const event: WebhookEvent = {
  type: "message.sent",
  timestamp: new Date(Date.now() - 1000).toISOString(),
  data: { message_id: "6f0c1d2e-0000-4000-8000-000000000001", status: "sent", channel: "email", created_at: "2026-12-03T09:59:58.000Z", recipients: [] },
};

function jobFor(endpoint: WebhookEndpoint): WebhookJob {
  const eventId = eventIdFor("stream-record-1");
  return { v: 1, tenant: endpoint.tenant, webhook_id: endpoint.id, delivery_id: deliveryIdFor(eventId, endpoint.id, new Date(event.timestamp)), event_id: eventId, event };
}

describe("deliverJob", () => {
  it("posts the job's event, signed so standardwebhooks verifies it, and logs a succeeded attempt", async () => {
    const { endpoint } = await register();
    const job = jobFor(endpoint);
    await deliverJob(job, { receiveCount: 1 }, deps);
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]?.verified).toBe(true);
    expect(receiver.received[0]?.event).toEqual(event);
    expect(receiver.received[0]?.body).toBe(JSON.stringify(event));
    expect(receiver.received[0]?.headers["webhook-id"]).toBe(job.event_id);
    const delivery = await store.getDelivery("acme", endpoint.id, job.delivery_id);
    expect(delivery).toMatchObject({ status: "succeeded", event_id: job.event_id, type: "message.sent", message_id: event.data.message_id });
    expect(delivery?.attempts).toEqual([{ at: now.toISOString(), status_code: 204, latency_ms: expect.any(Number) }]);
  });

  it("retries a receiver that fails twice, then succeeds: one webhook-id, three attempts", async () => {
    const { endpoint } = await register();
    answers = [500, 503];
    const job = jobFor(endpoint);
    await expect(deliverJob(job, { receiveCount: 1 }, deps)).rejects.toBeInstanceOf(WebhookPostFailed);
    expect((await store.get("acme", endpoint.id))?.failing_since).toBe(now.toISOString());
    await expect(deliverJob(job, { receiveCount: 2 }, deps)).rejects.toBeInstanceOf(WebhookPostFailed);
    expect((await store.getDelivery("acme", endpoint.id, job.delivery_id))?.status).toBe("pending");
    await deliverJob(job, { receiveCount: 3 }, deps);

    expect(receiver.received.map((r) => r.status)).toEqual([500, 503, 204]);
    expect(new Set(receiver.received.map((r) => r.headers["webhook-id"]))).toEqual(new Set([job.event_id]));
    expect(receiver.received.every((r) => r.verified)).toBe(true);
    const delivery = await store.getDelivery("acme", endpoint.id, job.delivery_id);
    expect(delivery?.status).toBe("succeeded");
    expect(delivery?.attempts.map((a) => [a.status_code, a.error])).toEqual([
      [500, "answered 500"],
      [503, "answered 503"],
      [204, undefined],
    ]);
    // a success ends the run of failures
    expect((await store.get("acme", endpoint.id))?.failing_since).toBeUndefined();
  });

  it("signs with both secrets during a rotation's overlap, so a receiver with either verifies", async () => {
    const { endpoint, secret: old } = await register();
    const fresh = generateSecret();
    await store.rotateSecret("acme", endpoint.id, await sealSecret(cipher, "acme", endpoint.id, fresh, now), new Date(now.getTime() + 24 * HOUR), now);
    receiver.setSecrets([old]);
    await deliverJob(jobFor(endpoint), { receiveCount: 1 }, deps);
    receiver.setSecrets([fresh]);
    await deliverJob({ ...jobFor(endpoint), manual: true }, { receiveCount: 1 }, deps);
    expect(receiver.received.map((r) => r.verified)).toEqual([true, true]);
    expect(receiver.received[0]?.headers["webhook-signature"]?.toString().split(" ")).toHaveLength(2);

    // after the overlap only the new secret signs
    now = new Date(now.getTime() + 25 * HOUR);
    receiver.setSecrets([old]);
    await expect(deliverJob({ ...jobFor(endpoint), manual: true }, { receiveCount: 1 }, deps)).rejects.toBeInstanceOf(WebhookPostFailed);
    expect(receiver.received[2]?.headers["webhook-signature"]?.toString().split(" ")).toHaveLength(1);
  });

  it("marks the last attempt dead_lettered and still throws, so the job goes to the DLQ", async () => {
    const { endpoint } = await register();
    answers = [500, 500, 500, 500];
    const job = jobFor(endpoint);
    for (let n = 1; n <= 4; n++) await expect(deliverJob(job, { receiveCount: n }, deps)).rejects.toBeInstanceOf(WebhookPostFailed);
    const delivery = await store.getDelivery("acme", endpoint.id, job.delivery_id);
    expect(delivery?.status).toBe("dead_lettered");
    expect(delivery?.attempts).toHaveLength(4);
  });

  it("disables an endpoint that has failed for longer than the window, and then skips its jobs", async () => {
    const { endpoint } = await register();
    answers = [500, 500];
    const job = jobFor(endpoint);
    await expect(deliverJob(job, { receiveCount: 1 }, deps)).rejects.toBeInstanceOf(WebhookPostFailed);
    const started = now;
    now = new Date(started.getTime() + 73 * HOUR);
    await deliverJob(job, { receiveCount: 2 }, deps); // not thrown: no more retries for a disabled endpoint
    const view = await store.get("acme", endpoint.id);
    expect(view).toMatchObject({ enabled: false, failing_since: started.toISOString() });
    expect(view?.disabled_reason).toContain(started.toISOString());
    expect((await store.getDelivery("acme", endpoint.id, job.delivery_id))?.status).toBe("failed");

    const other = { ...jobFor(endpoint), delivery_id: deliveryIdFor(eventIdFor("another"), endpoint.id, now), event_id: eventIdFor("another") };
    await deliverJob(other, { receiveCount: 1 }, deps);
    expect(receiver.received).toHaveLength(2);
    expect((await store.getDelivery("acme", endpoint.id, other.delivery_id))?.status).toBe("skipped");
  });

  it("does not post a delivery that already succeeded again", async () => {
    // Prepare
    const { endpoint } = await register();
    const job = jobFor(endpoint);
    await deliverJob(job, { receiveCount: 1 }, deps);
    // Act: the fan-out queued the same job twice
    await deliverJob(job, { receiveCount: 1 }, deps);
    // Assess
    expect(receiver.received).toHaveLength(1);
    expect((await store.getDelivery("acme", endpoint.id, job.delivery_id))?.attempts).toHaveLength(1);
  });

  it("skips a deleted endpoint's jobs: a delivery begun before the delete ends skipped, none is begun after it", async () => {
    // Prepare: one delivery failed once (pending, retried later), then the endpoint is deleted
    const { endpoint } = await register();
    answers = [500];
    const begun = jobFor(endpoint);
    await expect(deliverJob(begun, { receiveCount: 1 }, deps)).rejects.toBeInstanceOf(WebhookPostFailed);
    await store.delete("acme", endpoint.id);
    const later = { ...begun, delivery_id: deliveryIdFor(eventIdFor("x"), endpoint.id, now), event_id: eventIdFor("x") };

    // Act
    await deliverJob(begun, { receiveCount: 2 }, deps);
    await deliverJob(later, { receiveCount: 1 }, deps);

    // Assess
    expect(receiver.received).toHaveLength(1);
    expect((await store.getDelivery("acme", endpoint.id, begun.delivery_id))?.status).toBe("skipped");
    expect(await store.getDelivery("acme", endpoint.id, later.delivery_id)).toBeUndefined();
  });

  it("cuts the post by what the steps before it took beyond the record's margin, and hands the record back when nothing is left", async () => {
    // Prepare
    const { endpoint } = await register();
    const timeouts: number[] = [];
    deps.post = (request) => (timeouts.push(request.timeoutMs), postWebhook(request));

    // Act: time to spare, then 1.5 s less than a whole budget, then far too little
    await deliverJob(jobFor(endpoint), { receiveCount: 1, spareMs: () => 30_000 }, deps);
    await deliverJob({ ...jobFor(endpoint), manual: true }, { receiveCount: 1, spareMs: () => -1500 }, deps);
    const late = { ...jobFor(endpoint), delivery_id: deliveryIdFor(eventIdFor("late"), endpoint.id, now), event_id: eventIdFor("late") };
    const handedBack = deliverJob(late, { receiveCount: 1, spareMs: () => -1990 }, deps);

    // Assess
    await expect(handedBack).rejects.toBeInstanceOf(NotStartedError);
    expect(timeouts).toEqual([2000, 500]);
    expect(receiver.received).toHaveLength(2);
    expect((await store.getDelivery("acme", endpoint.id, late.delivery_id))?.attempts).toEqual([]);
  });

  it("refuses a loopback endpoint on AWS at send time, without connecting", async () => {
    const { endpoint } = await register();
    deps.settings.policy = { allowLoopback: false };
    const job = jobFor(endpoint);
    await expect(deliverJob(job, { receiveCount: 1 }, deps)).rejects.toBeInstanceOf(WebhookPostFailed);
    expect(receiver.received).toHaveLength(0);
    expect((await store.getDelivery("acme", endpoint.id, job.delivery_id))?.attempts[0]).toMatchObject({ error: "refused: must use https" });
  });
});

describe("postTimeoutMs", () => {
  it.each([
    [10_000, Number.POSITIVE_INFINITY, 10_000],
    [10_000, 5_000, 10_000],
    [10_000, 0, 10_000],
    [10_000, -2_500, 7_500],
    [10_000, -12_000, -2_000],
  ])("gives a post of at most %i ms with %f ms to spare %i ms", (timeout, spare, expected) => {
    expect(postTimeoutMs(timeout, spare)).toBe(expected);
  });
});
