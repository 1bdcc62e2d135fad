/**
 * AWS infrastructure cost per million messages, and per million SES events on the events path
 * (SES's own per-email fee and CloudWatch Logs aside), at list prices as of 2026-12 (us-east-1): API Gateway HTTP API $1.00/M requests;
 * Lambda $0.20/M requests + $0.0000133334 per GB-s on arm64 ($0.0000166667 on x86_64); SQS
 * $0.40/M requests; DynamoDB on-demand $0.625/M WRU, $0.125/M RRU; KMS $0.03 per 10,000 calls;
 * SNS $0.50/M publishes (SES's events reach the events queue through a topic; SNS's deliveries to
 * SQS are free). DynamoDB Streams reads made by Lambda's event source mapping are not billed, so
 * the local stream poller's DynamoDBStreams.* calls (wire.ts: `notBilled`) are not charged.
 *
 * Requests, WRU/RRU and KMS calls are the bench's measured figures per message (wire.ts). Lambda
 * time is a model, as no Lambda runs here: a function is billed for its CPU (the ingest app's
 * own, measured, scaled to the share of a vCPU its memory buys: 1 vCPU at 1,769 MB) plus the
 * AWS round trips it waits for one after another (measured for ingest by holding every call
 * longer, counted for the consumers), each taken as ROUND_TRIP_MS in the region, SES and SNS
 * as SEND_MS. In a backlog the consumers wait for send slots inside billed time: every instance
 * the event source runs (its maximum concurrency) is busy for as long as the queue lasts, so a
 * message costs concurrency × memory / the rate the limiter holds.
 *
 * The webhook fan-out (`webhookFanout`, its own part) is invoked by the table's stream per batch
 * of MSG# changes (infra/webhooks.ts: batch size, batching window). Invocations per message are a
 * model from the changes a message makes (measured on the stream): alone, its changes grouped by
 * the window (measured from the stream records' times); in a backlog, one invocation per window
 * while the changes of a window do not fill a batch, else one per full batch. Each invocation
 * reads the tenant's endpoints once (a Query of WH#) when its changes make an event; the model
 * takes one Query per invocation (every one of them here has a change that makes an event, the
 * `sent` or `delivered`, unless a message's changes span two windows) at the RRU per Query
 * measured at the wire. The local poller's own Query count (wire.ts) is lower where it happened
 * to batch neighbouring messages' changes, which messages far apart on AWS would not share.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { IngestHttpResult } from "./ingest-http";
import type { LimiterResult } from "./limiter";
import type { PathFigure, WireResult } from "./wire";
import { emailMaxConcurrency, fanoutMapping } from "./lib/infra";
import { REPO_ROOT } from "./lib/util";

export const PRICES = {
  asOf: "2026-12",
  apiGatewayHttpPerMillion: 1.0,
  lambdaRequestPerMillion: 0.2,
  lambdaGbSecond: { arm64: 0.0000133334, x86_64: 0.0000166667 },
  sqsPerMillion: 0.4,
  dynamoWruPerMillion: 0.625,
  dynamoRruPerMillion: 0.125,
  kmsPer10k: 0.03,
  snsPublishPerMillion: 0.5,
} as const;

export const MODEL = {
  roundTripMs: Number(process.env.BENCH_ROUND_TRIP_MS ?? 10),
  sendMs: Number(process.env.BENCH_SEND_MS ?? 40),
  /** services' memory and the email consumer's maximum concurrency, as infra/*.ts set them by default */
  ingestMb: 512,
  consumerMb: 512,
  emailMaxConcurrency: emailMaxConcurrency(),
  vcpuMb: 1769,
  /** the webhook fan-out's event source mapping and memory (infra/webhooks.ts) */
  fanout: fanoutMapping(),
};

/** The architecture infra gives the functions: arm64 only if every function definition takes it. */
export function deployedArchitecture(): "arm64" | "x86_64" {
  const files = ["api.ts", "authorizer.ts", "consumer.ts", "dead-letters.ts", "webhooks.ts"].map((f) => readFileSync(join(REPO_ROOT, "infra", f), "utf8"));
  const lambda = (() => {
    try {
      return readFileSync(join(REPO_ROOT, "infra", "lambda.ts"), "utf8");
    } catch {
      return "";
    }
  })();
  const arm = (text: string) => /architecture:\s*"arm64"/.test(text) || (/lambdaDefaults\(/.test(text) && /ARCHITECTURE = "arm64"/.test(lambda));
  return files.every(arm) ? "arm64" : "x86_64";
}

export type CostLine = { usdPerMillion: number; parts: Record<string, number>; assumptions: string[] };

const sum = (figure: PathFigure, match: (name: string) => boolean) =>
  Object.entries(figure.calls).filter(([name]) => match(name)).reduce((a, [, n]) => a + n, 0);
const sqsRequests = (f: PathFigure) => sum(f, (n) => n.startsWith("SQS."));
const kmsRequests = (f: PathFigure) => sum(f, (n) => n.startsWith("KMS."));
/** The consumers' DynamoDB calls per message (claim, outcome, read, rate, seal): all in a row. */
const consumerTableCalls = (f: PathFigure) =>
  sum(f, (n) => n.startsWith("DynamoDB.") && !n.startsWith("DynamoDB.PutItem") && !n.startsWith("DynamoDB.BatchWriteItem") && !n.includes("@IDEM#"));
const providerSends = (f: PathFigure) => sum(f, (n) => n.startsWith("SESv2.") || n.startsWith("SNS."));
const fanoutQueries = (f: PathFigure) => Object.entries(f.webhookFanout.calls).filter(([n]) => n.startsWith("DynamoDB.Query@WH#")).reduce((a, [, n]) => a + n, 0);
const round = (n: number) => Math.round(n * 1000) / 1000;

export function costs(wire: WireResult, http: IngestHttpResult, limiter: LimiterResult, architecture = deployedArchitecture()) {
  const gbs = PRICES.lambdaGbSecond[architecture];
  const perMillion = (perMessage: number, pricePerMillion: number) => perMessage * pricePerMillion;
  const cpuMs = (1000 / http.ingest.rps) * (MODEL.vcpuMb / MODEL.ingestMb);
  const ingestRoundTrips = Math.max(0, wire.ingestRoundTrips.sequential - wire.ingestRoundTrips.apiKeyReads);
  const ingestSeconds = (cpuMs + ingestRoundTrips * MODEL.roundTripMs) / 1000;
  const batchSeconds = (cpuMs * wire.batch.perRequest + wire.batchRoundTrips.sequential * MODEL.roundTripMs) / 1000;
  const consumerSeconds = (f: PathFigure) => (consumerTableCalls(f) * MODEL.roundTripMs + providerSends(f) * MODEL.sendMs) / 1000;
  // A backlog: every instance up to the maximum concurrency waits for slots at the rate held.
  const backlogGbsPerMessage = (MODEL.emailMaxConcurrency * (MODEL.consumerMb / 1024)) / Math.max(0.001, limiter.held);

  /**
   * The webhook fan-out per message: its invocations (see the header), one Query of the tenant's
   * endpoints each (at the RRU per Query measured), one round trip of Lambda time each.
   */
  const { batchSize, batchingWindowSeconds: windowSeconds, memoryMb: fanoutMb } = MODEL.fanout;
  // RRU per Query as measured on the figure; a figure measured without capacity (the backlog)
  // takes the small email's (an empty or same-sized endpoint list either way)
  const rruPerQuery = (f: PathFigure) => {
    const measured = f.webhookFanout.rru !== undefined ? f : wire.email;
    const q = fanoutQueries(measured);
    return q > 0 ? (measured.webhookFanout.rru ?? 0) / q : 0.5;
  };
  const fanout = (f: PathFigure, backlog: boolean, unit = "message") => {
    const changes = f.stream?.changesPerMessage ?? 0;
    const invocations = backlog
      ? Math.max(changes / batchSize, windowSeconds > 0 ? 1 / (windowSeconds * Math.max(0.001, limiter.held)) : 0)
      : (f.stream?.invocationsAlone ?? changes);
    const queries = invocations;
    const rru = queries * rruPerQuery(f);
    const usd =
      perMillion(invocations, PRICES.lambdaRequestPerMillion) +
      ((queries * MODEL.roundTripMs) / 1000) * (fanoutMb / 1024) * gbs * 1e6 +
      perMillion(rru, PRICES.dynamoRruPerMillion);
    const how = backlog
      ? `backlog: max(${changes.toFixed(2)} changes / ${batchSize}, one invocation per ${windowSeconds} s window at ${limiter.held.toFixed(1)} ${unit}s/s; one shard)`
      : `alone: its changes grouped by the ${windowSeconds} s window`;
    return {
      usd,
      assumption:
        `webhook fan-out (${MODEL.fanout.from}: batch ${batchSize}, window ${windowSeconds} s, ${fanoutMb} MB): ${changes.toFixed(2)} MSG# changes per ${unit} (stream, measured); ` +
        `${invocations.toFixed(3)} invocations per ${unit} (${how}), one Query of WH# and one round trip each: ${rru.toFixed(3)} RRU (the local poller made ${fanoutQueries(f).toFixed(2)} Query); ` +
        "no endpoint registered, so no jobs and no webhooks-consumer cost",
    };
  };
  const NOT_BILLED = "DynamoDBStreams.* reads (Lambda's stream poller; the local poller stands in for it) not billed";

  const line = (f: PathFigure, opts: { perRequest: number; ingestSeconds: number; backlog: boolean; wru: number; rru: number }): CostLine => {
    const invocationsPerMessage = opts.backlog ? Math.max(sum(f, (n) => n.startsWith("SQS.DeleteMessage")), 0.1) : 1 + sum(f, (n) => n.startsWith("SQS.DeleteMessage") && n.includes("secure-store"));
    const consumerGbs = opts.backlog ? Math.max(backlogGbsPerMessage, consumerSeconds(f) * (MODEL.consumerMb / 1024)) : consumerSeconds(f) * (MODEL.consumerMb / 1024);
    const webhookFanout = fanout(f, opts.backlog);
    const parts = {
      apiGateway: perMillion(1 / opts.perRequest, PRICES.apiGatewayHttpPerMillion),
      lambdaRequests: perMillion(1 / opts.perRequest + invocationsPerMessage, PRICES.lambdaRequestPerMillion),
      lambdaIngestGbs: (opts.ingestSeconds / opts.perRequest) * (MODEL.ingestMb / 1024) * gbs * 1e6,
      lambdaConsumerGbs: consumerGbs * gbs * 1e6,
      sqs: perMillion(sqsRequests(f), PRICES.sqsPerMillion),
      dynamoWrite: perMillion(opts.wru, PRICES.dynamoWruPerMillion),
      dynamoRead: perMillion(opts.rru, PRICES.dynamoRruPerMillion),
      kms: kmsRequests(f) * (PRICES.kmsPer10k / 10_000) * 1e6,
      webhookFanout: webhookFanout.usd,
    };
    return {
      usdPerMillion: round(Object.values(parts).reduce((a, b) => a + b, 0)),
      parts: Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, round(v)])),
      assumptions: [
        `${architecture} at $${gbs}/GB-s; ingest ${MODEL.ingestMb} MB, consumers ${MODEL.consumerMb} MB`,
        `round trip ${MODEL.roundTripMs} ms, provider send ${MODEL.sendMs} ms; ingest CPU ${cpuMs.toFixed(2)} ms per request at ${MODEL.ingestMb} MB`,
        opts.backlog ? `backlog: ${MODEL.emailMaxConcurrency} consumer instances waiting for slots at ${limiter.held.toFixed(1)}/s` : "trickle: one message per consumer invocation",
        webhookFanout.assumption,
        NOT_BILLED,
        "the authorizer's answer cached by API Gateway (no invocation per message); SES fee, CloudWatch Logs and idle queue polling not included",
      ],
    };
  };

  /**
   * One SES event (per million events): SES publishes it to the topic (an SNS publish), SNS puts
   * it on the events queue (free), the events consumer receives it one per invocation (they come
   * one at a time, as measured), reads the message and writes its outcome; that write is one more
   * stream change for the fan-out. No API Gateway, no ingest.
   */
  const eventLine = (f: PathFigure): CostLine => {
    const webhookFanout = fanout(f, false, "event");
    const parts = {
      snsPublish: perMillion(1, PRICES.snsPublishPerMillion),
      lambdaRequests: perMillion(1, PRICES.lambdaRequestPerMillion),
      lambdaConsumerGbs: consumerSeconds(f) * (MODEL.consumerMb / 1024) * gbs * 1e6,
      sqs: perMillion(sqsRequests(f), PRICES.sqsPerMillion),
      dynamoWrite: perMillion(f.wru ?? 0, PRICES.dynamoWruPerMillion),
      dynamoRead: perMillion(f.rru ?? 0, PRICES.dynamoRruPerMillion),
      webhookFanout: webhookFanout.usd,
    };
    return {
      usdPerMillion: round(Object.values(parts).reduce((a, b) => a + b, 0)),
      parts: Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, round(v)])),
      assumptions: [
        `${architecture} at $${gbs}/GB-s; events consumer ${MODEL.consumerMb} MB, ${consumerTableCalls(f).toFixed(2)} table round trips of ${MODEL.roundTripMs} ms per event`,
        "SES → SNS topic: one publish per event (an event is well under SNS's 64 KB billing unit); SNS → SQS delivery free; the events queue uses SQS's own key (no KMS calls)",
        "one event per events-consumer invocation (they came one at a time); SQS receive and delete as measured",
        webhookFanout.assumption,
        NOT_BILLED,
        "the topic key's KMS calls (SNS reuses its data keys), CloudWatch Logs and idle queue polling not included",
      ],
    };
  };

  // In a backlog the rate counter is written as the limiter bench measured (failed writes
  // included) instead of as one message at a time writes it.
  const rateWru = (f: PathFigure) => f.capacity?.["UpdateItem@RATE#"]?.wru ?? 0;
  const backlogWru = (f: PathFigure) => (f.wru ?? 0) - rateWru(f) + (f.capacity?.["UpdateItem@RATE#"] ? limiter.writesPerSlot : 0);
  return {
    prices: PRICES,
    model: MODEL,
    architecture,
    smallEmailTrickle: line(wire.email, { perRequest: 1, ingestSeconds, backlog: false, wru: wire.email.wru ?? 0, rru: wire.email.rru ?? 0 }),
    smallEmailBacklog: line(wire.backlog, { perRequest: 1, ingestSeconds, backlog: true, wru: backlogWru(wire.email), rru: wire.email.rru ?? 0 }),
    smallEmailBatchRoute: line(wire.batch, { perRequest: wire.batch.perRequest, ingestSeconds: batchSeconds, backlog: true, wru: backlogWru(wire.batch), rru: wire.batch.rru ?? 0 }),
    largeEmailTrickle: line(wire.emailLarge, { perRequest: 1, ingestSeconds, backlog: false, wru: wire.emailLarge.wru ?? 0, rru: wire.emailLarge.rru ?? 0 }),
    sesEvent: eventLine(wire.events),
  };
}
