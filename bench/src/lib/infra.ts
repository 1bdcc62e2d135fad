import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./util";

/**
 * The webhook fan-out's event source mapping as infra/webhooks.ts deploys it (read from the file,
 * so the cost model follows the infrastructure): how many stream records one invocation takes at
 * most, and how long Lambda gathers records before it invokes (0: it invokes as soon as a record
 * is there, one change per invocation at a trickle).
 */
export function fanoutMapping(): { batchSize: number; batchingWindowSeconds: number; memoryMb: number; from: string } {
  const text = readFileSync(join(REPO_ROOT, "infra", "webhooks.ts"), "utf8");
  const mapping = text.slice(text.indexOf('table.subscribe(\n  "WebhookFanout"'));
  const number = (pattern: RegExp, fallback: number) => {
    const m = pattern.exec(mapping);
    return m?.[1] !== undefined ? Number(m[1]) : fallback;
  };
  return {
    // Lambda's defaults for a DynamoDB stream when infra sets none: 100 records, no window
    batchSize: number(/batchSize:\s*(\d+)/, 100),
    batchingWindowSeconds: number(/maximumBatchingWindowInSeconds:\s*(\d+)/, 0),
    memoryMb: number(/memory:\s*"(\d+) MB"/, 128),
    from: "WebhookFanout's event source mapping in infra/webhooks.ts",
  };
}

/** The email consumer's default maximum concurrency, as infra/deploy-config.ts sets it (HERALD_EMAIL_MAX_CONCURRENCY). */
export function emailMaxConcurrency(): number {
  const text = readFileSync(join(REPO_ROOT, "infra", "deploy-config.ts"), "utf8");
  const m = /HERALD_EMAIL_MAX_CONCURRENCY:\s*env\.int\((\d+)/.exec(text);
  if (!m?.[1]) throw new Error("HERALD_EMAIL_MAX_CONCURRENCY's default not found in infra/deploy-config.ts");
  return Number(m[1]);
}
