/**
 * What a message costs at the wire, through the local stack (lib/stack.ts): AWS calls per
 * message for a small email, an SMS, a store_secure email and the batch route, and per SES event
 * on the events path; DynamoDB WRU/RRU per message (small and 4.6 KB three-recipient email) and
 * per event; KMS calls for 100 secure messages; how many AWS round trips a POST waits for one
 * after another; and end-to-end messages/s with POST → `sent` latency.
 *
 * Each figure's `calls` are the message path's own: what its ingest and consumers call, billed
 * on AWS. Apart from them, on the same figure:
 * - `webhookFanout`: the webhook fan-out's calls (services/webhook-fanout: the tenant's endpoints,
 *   a Query of WH#, per stream batch that makes an event). Billed on AWS, priced as its own part.
 * - `notBilled`: the local stream poller's DynamoDBStreams.* reads. It stands in for Lambda's
 *   stream event source mapping, whose reads of the stream AWS does not bill.
 * - `excluded`: the API-key GetItem the local ingest makes (on AWS the authorizer's, whose answer
 *   API Gateway caches per key for 300 s), the dead-letter sweeper's calls on the DLQs (a fixed
 *   few per minute), and idle long polls of queues the path does not use (another consumer's).
 * - `stream`: how many MSG# changes (the stream records the fan-out is invoked with) a message
 *   makes, read from the table's stream in moto directly, and, for one message on its own, how
 *   many invocations the fan-out's batching window (infra/webhooks.ts) makes of them.
 */
import { sleep, median, percentile } from "./lib/util";
import { sesEvent, snsWrapped } from "@herald/testing";
import { fanoutMapping } from "./lib/infra";
import { startStack, type Call, type Stack } from "./lib/stack";
import type { StreamRecord } from "./lib/raw-aws";
import { SMALL_EMAIL } from "./lib/memory-app";

export type PathFigure = {
  messages: number;
  /** AWS calls per message, by `Service.Operation`, with what they touched (`@MSG#`, `@email`...). */
  calls: Record<string, number>;
  callsTotal: number;
  /** What is not counted per message (see above). */
  excluded: Record<string, number>;
  /** Calls that are not billed on AWS, per message: the local stand-in for Lambda's stream poller. */
  notBilled: Record<string, number>;
  /** The webhook fan-out's calls per message, with their capacity: billed, priced on their own. */
  webhookFanout: { calls: Record<string, number>; callsTotal: number; wru?: number; rru?: number };
  /** The path's own WRU and RRU per message (the fan-out's apart). */
  wru?: number;
  rru?: number;
  /** The path's WRU and RRU per message, by operation and partition. */
  capacity?: Record<string, { wru: number; rru: number }>;
  stream?: StreamFigure;
};

export type StreamFigure = {
  /** MSG# changes per message (create, claim, sent, ...): the stream records the fan-out gets. */
  changesPerMessage: number;
  /**
   * Fan-out invocations per message when messages come one at a time, far apart: the message's
   * changes grouped by the batching window (a window opens at a change and takes every change
   * within `batchingWindowSeconds`), timed by the stream records' own creation times.
   */
  invocationsAlone: number;
  batchingWindowSeconds: number;
  /** Median time from a message's first change to its last, ms. */
  spreadMsMedian: number;
};

export type WireResult = {
  emulator: string;
  email: PathFigure;
  emailLarge: PathFigure & { requestBytes: number; recipients: number };
  sms: PathFigure;
  secureEmail: PathFigure;
  batch: PathFigure & { perRequest: number };
  secureBatch: PathFigure & { kmsCalls: number };
  backlog: PathFigure;
  /** SES Delivery events, one at a time, each until the message is `delivered`: per event. */
  events: PathFigure;
  e2e: { messages: number; concurrency: number; acceptPerSecond: number; messagesPerSecond: number; p50Ms: number; p99Ms: number; acceptP50Ms: number; acceptP99Ms: number };
  /**
   * AWS calls a POST waits for one after another (the longest chain of ingest calls within the
   * request, each starting after the one before it ended): the median over the small emails sent
   * one at a time, `apiKeyReads` of them the local API-key read (the authorizer's on AWS); and
   * for the batch of 100.
   */
  ingestRoundTrips: { sequential: number; apiKeyReads: number };
  batchRoundTrips: { sequential: number };
};

/** The ingest's calls (the consumers make none of these): records, recipients' history, queues, keys. */
const isIngestCall = (c: Call) =>
  c.operation === "DynamoDB.PutItem" ||
  c.operation === "DynamoDB.BatchWriteItem" ||
  c.operation.startsWith("SQS.SendMessage") ||
  ["APIKEY", "IDEM#", "QUOTA#"].includes(c.target);

/** The longest chain of the ingest's calls within [start, end] in which each starts after the last ended. */
export function sequentialCalls(calls: Call[], start: number, end: number): number {
  const inside = calls
    .filter((c) => isIngestCall(c) && c.at >= start && c.end !== undefined && c.end <= end)
    .sort((a, b) => (a.end ?? 0) - (b.end ?? 0));
  const chain: number[] = [];
  inside.forEach((c, i) => {
    let best = 0;
    for (let j = 0; j < i; j++) if ((inside[j]?.end ?? 0) <= c.at) best = Math.max(best, chain[j] ?? 0);
    chain[i] = best + 1;
  });
  return Math.max(0, ...chain);
}

const AUTHORIZER = "authorizer (API key read; cached by API Gateway on AWS)";
const API_KEY_READ = `DynamoDB.GetItem@APIKEY (${AUTHORIZER})`;
const IDLE_POLL = "idle polling of a queue this path does not use";

/** Where a call goes: the path's own, the fan-out's, not billed, or left out (with why). */
function classify(c: Call, queues: readonly string[]): { kind: "path" | "fanout" | "notBilled" } | { kind: "excluded"; reason: string } {
  if (c.operation === "DynamoDB.GetItem" && c.target === "APIKEY") return { kind: "excluded", reason: AUTHORIZER };
  if (c.target.endsWith("-dlq")) return { kind: "excluded", reason: "dead-letter sweeper" };
  if (c.operation.startsWith("DynamoDBStreams.")) return { kind: "notBilled" };
  // the fan-out reads the tenant's endpoints and queues the jobs (none here: the bench's tenant has no endpoint)
  if (c.target === "WH#" || (c.operation.startsWith("SQS.SendMessage") && c.target.endsWith("-webhooks"))) return { kind: "fanout" };
  if (c.operation.startsWith("SQS.") && !queues.includes(c.target)) return { kind: "excluded", reason: IDLE_POLL };
  return { kind: "path" };
}

function summarize(calls: Call[], messages: number, withCapacity: boolean, queues: readonly string[]): PathFigure {
  const perMessage: Record<string, number> = {};
  const excluded: Record<string, number> = {};
  const notBilled: Record<string, number> = {};
  const fanout: Record<string, number> = {};
  const capacity: Record<string, { wru: number; rru: number }> = {};
  let wru = 0;
  let rru = 0;
  const fanoutUnits = { wru: 0, rru: 0 };
  for (const c of calls) {
    const kind = classify(c, queues);
    const name = `${c.operation}${c.target ? `@${c.target}` : ""}`;
    if (kind.kind === "excluded") {
      excluded[`${name} (${kind.reason})`] = (excluded[`${name} (${kind.reason})`] ?? 0) + 1;
      continue;
    }
    if (kind.kind === "notBilled") {
      notBilled[name] = (notBilled[name] ?? 0) + 1;
      continue;
    }
    if (kind.kind === "fanout") {
      fanout[name] = (fanout[name] ?? 0) + 1;
      fanoutUnits.wru += c.capacity?.wru ?? 0;
      fanoutUnits.rru += c.capacity?.rru ?? 0;
      continue;
    }
    perMessage[name] = (perMessage[name] ?? 0) + 1;
    if (c.capacity) {
      wru += c.capacity.wru;
      rru += c.capacity.rru;
      const k = `${c.capacity.operation}@${c.capacity.partition}${c.capacity.failed ? " (failed)" : ""}`;
      const e = (capacity[k] ??= { wru: 0, rru: 0 });
      e.wru += c.capacity.wru;
      e.rru += c.capacity.rru;
    }
  }
  const per = (n: number) => Math.round((n / messages) * 1000) / 1000;
  const perEach = (r: Record<string, number>) => Object.fromEntries(Object.entries(r).sort().map(([k, n]) => [k, per(n)]));
  const total = (r: Record<string, number>) => per(Object.values(r).reduce((a, b) => a + b, 0));
  return {
    messages,
    calls: perEach(perMessage),
    callsTotal: total(perMessage),
    excluded: perEach(excluded),
    notBilled: perEach(notBilled),
    webhookFanout: { calls: perEach(fanout), callsTotal: total(fanout), ...(withCapacity && { wru: per(fanoutUnits.wru), rru: per(fanoutUnits.rru) }) },
    ...(withCapacity && {
      wru: per(wru),
      rru: per(rru),
      capacity: Object.fromEntries(Object.entries(capacity).sort().map(([k, v]) => [k, { wru: per(v.wru), rru: per(v.rru) }])),
    }),
  };
}

/** The MSG# changes of these messages made at or after `since` (epoch ms), as the stream holds them. */
export function streamFigure(records: StreamRecord[], ids: readonly string[], since = 0, windowSeconds = fanoutMapping().batchingWindowSeconds): StreamFigure {
  const wanted = new Set(ids.map((id) => `MSG#${id}`));
  const byMessage = new Map<string, number[]>();
  for (const r of records) if (wanted.has(r.pk) && r.at >= since) byMessage.set(r.pk, [...(byMessage.get(r.pk) ?? []), r.at]);
  let changes = 0;
  let invocations = 0;
  const spreads: number[] = [];
  for (const times of byMessage.values()) {
    times.sort((a, b) => a - b);
    changes += times.length;
    let opened: number | undefined;
    for (const t of times) {
      if (opened === undefined || t - opened >= windowSeconds * 1000) {
        invocations++;
        opened = t;
      }
    }
    spreads.push((times.at(-1) ?? 0) - (times[0] ?? 0));
  }
  const per = (n: number) => Math.round((n / Math.max(1, ids.length)) * 1000) / 1000;
  return { changesPerMessage: per(changes), invocationsAlone: per(invocations), batchingWindowSeconds: windowSeconds, spreadMsMedian: median(spreads) };
}

async function post(stack: Stack, path: string, body: unknown): Promise<{ id: string; ms: number; json: unknown; start: number; end: number }> {
  const t0 = performance.now();
  const response = await fetch(`${stack.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": stack.apiKey },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as { id?: string };
  const end = performance.now();
  if (response.status !== 202 && response.status !== 200) throw new Error(`POST ${path} ${response.status}: ${JSON.stringify(json)}`);
  return { id: json.id ?? "", ms: end - t0, json, start: t0, end };
}

/** One message at a time, each waited for until `sent`: what a message costs when they trickle in. */
async function trickle(stack: Stack, count: number, message: (i: number) => unknown, queues: readonly string[]): Promise<PathFigure & { sequential: number }> {
  stack.capacity(true);
  await sleep(500);
  stack.reset();
  const windows: { start: number; end: number }[] = [];
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const { id, start, end } = await post(stack, "/v1/messages", message(i));
    windows.push({ start, end });
    ids.push(id);
    await stack.waitSent([id]);
  }
  await sleep(1500); // the consumer deletes its batch from the queue after the outcome is written
  const figure = {
    ...summarize(stack.calls, count, true, queues),
    stream: streamFigure(await stack.stream(), ids),
    sequential: median(windows.map((w) => sequentialCalls(stack.calls, w.start, w.end))),
  };
  stack.capacity(false);
  return figure;
}

/**
 * The events path: for `count` sent emails, SES's Delivery event for each, SNS-wrapped as the
 * events queue's subscription delivers it (put on the queue by the bench, straight to moto: on
 * AWS SNS does it, free), one at a time, each waited for until its message is `delivered`.
 */
async function events(stack: Stack, count: number): Promise<PathFigure> {
  const to = (i: number) => `delivered${i}@example.com`;
  const sent = await post(stack, "/v1/messages/batch", { items: Array.from({ length: count }, (_, i) => ({ message: { ...SMALL_EMAIL, to: to(i) } })) });
  const ids = (sent.json as { results: { id: string }[] }).results.map((r) => r.id);
  await stack.waitSent(ids);
  await sleep(1500); // the sends' own deletes and stream changes are over before counting starts
  stack.capacity(true);
  await sleep(500);
  stack.reset();
  const since = Date.now();
  for (const [i, id] of ids.entries()) {
    const event = sesEvent("Delivery", { heraldMessageId: id, recipients: [to(i)] });
    await stack.putEvent(JSON.stringify(snsWrapped(event)));
    await stack.waitStatus([id], "delivered");
  }
  await sleep(1500); // the consumer deletes the event after the outcome is written
  const figure = { ...summarize(stack.calls, count, true, [QUEUE.events]), stream: streamFigure(await stack.stream(), ids, since) };
  stack.capacity(false);
  return figure;
}

/** A 4.6 KB request: three recipients, a subject, HTML and text parts. */
export function largeEmail(i: number) {
  const base = { channel: "email", to: [`a${i}@example.com`, `b${i}@example.com`, `c${i}@example.com`], subject: `Your order ${i} has shipped`, html: "", text: "" };
  const room = 4600 - JSON.stringify(base).length;
  const words = prose(i, room);
  const html = `<p>${words}`.slice(0, Math.floor(room / 2) - 4) + "</p>";
  const text = prose(i + 1, room).slice(0, room - html.length);
  return { ...base, html, text };
}

/*
 * Text that compresses as prose does (gzip to about a third), not as a repeated sentence would
 * (to almost nothing): the store keeps big content gzipped, so a repeated filler would flatter its
 * write units. Words drawn from a small vocabulary by a seeded generator, the same every run.
 */
const VOCABULARY = (
  "order parcel delivery tracking number courier address street city postcode invoice total amount tax shipping " +
  "returns within days business account customer support team reply question thanks again store online item size " +
  "colour quantity price discount code expires soon review product rating stars week month today tomorrow morning " +
  "evening window signature required door neighbour safe place collect depot opening hours weekend holiday delay " +
  "weather update estimated arrival the a of to and in for on with your our we you is are was will be has have this"
).split(" ");
function prose(seed: number, length: number): string {
  let state = (seed * 2654435761) >>> 0 || 1;
  const next = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0);
  let out = "";
  while (out.length < length) {
    const sentence = Array.from({ length: 6 + (next() % 10) }, () => VOCABULARY[next() % VOCABULARY.length]).join(" ");
    out += `${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}. `;
  }
  return out.slice(0, length);
}

/** The local stack's queues (services/local's default prefix): what each path's consumers receive from. */
const QUEUE = { email: "herald-email", sms: "herald-sms", secure: "herald-secure-store", events: "herald-events" } as const;

const smallEmail = (i: number) => ({ ...SMALL_EMAIL, to: `user${i}@example.com` });
const sms = (i: number) => ({ channel: "sms", to: `+4479111${String(10000 + i).slice(-5)}`, text: "Your sign-in code is 123456." });
const secureEmail = (i: number) => ({ ...smallEmail(i), store_secure: true });

export async function measureWire(options: { trickle?: number; messages?: number; concurrency?: number } = {}): Promise<WireResult> {
  const T = options.trickle ?? Number(process.env.BENCH_TRICKLE ?? 20);
  const N = options.messages ?? Number(process.env.BENCH_MESSAGES ?? 300);
  const C = options.concurrency ?? Number(process.env.BENCH_CONCURRENCY ?? 16);
  const stack = await startStack();
  try {
    // warm every process's JIT and connections first (not counted)
    for (let i = 0; i < 3; i++) await stack.waitSent([(await post(stack, "/v1/messages", smallEmail(i))).id]);

    // 100 store_secure emails, the first this stack sees (so the data key cache starts empty):
    // how many KMS calls (data keys are cached and reused).
    stack.capacity(true);
    stack.reset();
    const secureResponse = await post(stack, "/v1/messages/batch", { items: Array.from({ length: 100 }, (_, i) => ({ message: secureEmail(i) })) });
    const secureIds = (secureResponse.json as { results: { id: string }[] }).results.map((r) => r.id);
    await stack.waitSent(secureIds);
    await sleep(1500);
    const secureBatchFigure = summarize(stack.calls, secureIds.length, true, [QUEUE.secure, QUEUE.email]);
    const kmsCalls = stack.calls.filter((c) => c.operation.startsWith("KMS.")).length;
    stack.capacity(false);

    const email = await trickle(stack, T, smallEmail, [QUEUE.email]);
    const ingestRoundTrips = {
      sequential: email.sequential,
      apiKeyReads: email.excluded[API_KEY_READ] ?? 0,
    };
    const large = largeEmail(0);
    const emailLarge = { ...(await trickle(stack, T, largeEmail, [QUEUE.email])), requestBytes: JSON.stringify(large).length, recipients: large.to.length };
    const smsFigure = await trickle(stack, T, sms, [QUEUE.sms]);
    const secureEmailFigure = await trickle(stack, T, secureEmail, [QUEUE.secure, QUEUE.email]);

    // The batch route: 100 small emails in one request.
    stack.capacity(true);
    stack.reset();
    const batchResponse = await post(stack, "/v1/messages/batch", { items: Array.from({ length: 100 }, (_, i) => ({ message: smallEmail(i) })) });
    const batchRoundTrips = { sequential: sequentialCalls(stack.calls, batchResponse.start, batchResponse.end) };
    const batchIds = (batchResponse.json as { results: { id: string }[] }).results.map((r) => r.id);
    await stack.waitSent(batchIds);
    await sleep(1500);
    const batch = {
      ...summarize(stack.calls, batchIds.length, true, [QUEUE.email]),
      stream: streamFigure(await stack.stream(), batchIds),
      perRequest: batchIds.length,
    };
    stack.capacity(false);

    const eventsFigure = await events(stack, T);

    // End to end: N small emails, C in flight, until every one is sent (capacity accounting off).
    stack.reset();
    const postedAt = new Map<string, number>();
    const accept: number[] = [];
    let next = 0;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: C }, async () => {
        while (next < N) {
          const i = next++;
          const t0 = Date.now();
          const { id, ms } = await post(stack, "/v1/messages", smallEmail(i));
          postedAt.set(id, t0);
          accept.push(ms);
        }
      }),
    );
    const acceptSeconds = (Date.now() - started) / 1000;
    const sent = await stack.waitSent([...postedAt.keys()], 600_000);
    await sleep(1500);
    const backlog = { ...summarize(stack.calls, N, false, [QUEUE.email]), stream: streamFigure(await stack.stream(), [...postedAt.keys()]) };
    const e2eLatency = [...sent].map(([id, at]) => at - (postedAt.get(id) ?? at));
    const lastSent = Math.max(...sent.values());
    return {
      emulator: "moto_server behind the counting proxy of packages/testing; the stack as npm start runs it",
      email,
      emailLarge,
      sms: smsFigure,
      secureEmail: secureEmailFigure,
      batch,
      secureBatch: { ...secureBatchFigure, kmsCalls },
      backlog,
      events: eventsFigure,
      e2e: {
        messages: N,
        concurrency: C,
        acceptPerSecond: N / acceptSeconds,
        messagesPerSecond: N / ((lastSent - started) / 1000),
        p50Ms: percentile(e2eLatency, 50),
        p99Ms: percentile(e2eLatency, 99),
        acceptP50Ms: percentile(accept, 50),
        acceptP99Ms: percentile(accept, 99),
      },
      ingestRoundTrips,
      batchRoundTrips,
    };
  } finally {
    await stack.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await measureWire(), null, 2));
