/**
 * AWS infrastructure cost per million messages (SES's own per-email fee and CloudWatch Logs
 * aside), at list prices as of 2026-12 (us-east-1): API Gateway HTTP API $1.00/M requests;
 * Lambda $0.20/M requests + $0.0000133334 per GB-s on arm64 ($0.0000166667 on x86_64); SQS
 * $0.40/M requests; DynamoDB on-demand $0.625/M WRU, $0.125/M RRU; KMS $0.03 per 10,000 calls.
 *
 * Requests, WRU/RRU and KMS calls are the bench's measured figures per message (wire.ts). Lambda
 * time is a model, as no Lambda runs here: a function is billed for its CPU (the ingest app's
 * own, measured, scaled to the share of a vCPU its memory buys: 1 vCPU at 1,769 MB) plus the
 * AWS round trips it waits for one after another (measured for ingest by holding every call
 * longer, counted for the consumers), each taken as ROUND_TRIP_MS in the region, SES and SNS
 * as SEND_MS. In a backlog the consumers wait for send slots inside billed time: every instance
 * the event source runs (its maximum concurrency) is busy for as long as the queue lasts, so a
 * message costs concurrency × memory / the rate the limiter holds.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { IngestHttpResult } from "./ingest-http";
import type { LimiterResult } from "./limiter";
import type { PathFigure, WireResult } from "./wire";
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
} as const;

export const MODEL = {
  roundTripMs: Number(process.env.BENCH_ROUND_TRIP_MS ?? 10),
  sendMs: Number(process.env.BENCH_SEND_MS ?? 40),
  /** services' memory and the email consumer's maximum concurrency, as infra/*.ts set them by default */
  ingestMb: 512,
  consumerMb: 512,
  emailMaxConcurrency: 5,
  vcpuMb: 1769,
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

  const line = (f: PathFigure, opts: { perRequest: number; ingestSeconds: number; backlog: boolean; wru: number; rru: number }): CostLine => {
    const invocationsPerMessage = opts.backlog ? Math.max(sum(f, (n) => n.startsWith("SQS.DeleteMessage")), 0.1) : 1 + sum(f, (n) => n.startsWith("SQS.DeleteMessage") && n.includes("secure-store"));
    const consumerGbs = opts.backlog ? Math.max(backlogGbsPerMessage, consumerSeconds(f) * (MODEL.consumerMb / 1024)) : consumerSeconds(f) * (MODEL.consumerMb / 1024);
    const parts = {
      apiGateway: perMillion(1 / opts.perRequest, PRICES.apiGatewayHttpPerMillion),
      lambdaRequests: perMillion(1 / opts.perRequest + invocationsPerMessage, PRICES.lambdaRequestPerMillion),
      lambdaIngestGbs: (opts.ingestSeconds / opts.perRequest) * (MODEL.ingestMb / 1024) * gbs * 1e6,
      lambdaConsumerGbs: consumerGbs * gbs * 1e6,
      sqs: perMillion(sqsRequests(f), PRICES.sqsPerMillion),
      dynamoWrite: perMillion(opts.wru, PRICES.dynamoWruPerMillion),
      dynamoRead: perMillion(opts.rru, PRICES.dynamoRruPerMillion),
      kms: kmsRequests(f) * (PRICES.kmsPer10k / 10_000) * 1e6,
    };
    const round = (n: number) => Math.round(n * 1000) / 1000;
    return {
      usdPerMillion: round(Object.values(parts).reduce((a, b) => a + b, 0)),
      parts: Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, round(v)])),
      assumptions: [
        `${architecture} at $${gbs}/GB-s; ingest ${MODEL.ingestMb} MB, consumers ${MODEL.consumerMb} MB`,
        `round trip ${MODEL.roundTripMs} ms, provider send ${MODEL.sendMs} ms; ingest CPU ${cpuMs.toFixed(2)} ms per request at ${MODEL.ingestMb} MB`,
        opts.backlog ? `backlog: ${MODEL.emailMaxConcurrency} consumer instances waiting for slots at ${limiter.held.toFixed(1)}/s` : "trickle: one message per consumer invocation",
        "the authorizer's answer cached by API Gateway (no invocation per message); SES fee, CloudWatch Logs and idle queue polling not included",
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
  };
}
