import { describe, expect, it } from "vitest";
import { QUEUE_NAMES } from "@herald/contracts";
import { ACCESS_LOG_FORMAT } from "../../../../infra/access-log";
import { lambdaDefaults, lambdaEnvironment } from "../../../../infra/lambda";
import { queueRetention } from "../../../../infra/queue-retention";

/*
 * What infra/api.ts and infra/queues.ts deploy, from their pure halves: what API Gateway's access
 * log may record of a request, and how long a queue may keep what it carries.
 */

describe("the API's access log format", () => {
  it("records the route key, the status and the request id, and nothing else", () => {
    // Act
    const line = JSON.parse(ACCESS_LOG_FORMAT) as Record<string, string>;

    // Assess
    expect(line).toEqual({ requestId: "$context.requestId", routeKey: "$context.routeKey", status: "$context.status" });
  });

  it.each([
    ["the path as sent (an address in DELETE /v1/recipients/{recipient})", "$context.path"],
    ["the caller's IP address", "$context.identity.sourceIp"],
    ["the user agent", "$context.identity.userAgent"],
    ["anything of the request itself (query string, headers, body)", "$request"],
    ["the authorizer's context (principal, tenant)", "$context.authorizer"],
  ])("does not record %s", (_what, variable) => {
    expect(ACCESS_LOG_FORMAT).not.toContain(variable);
  });
});

describe("queue retention", () => {
  const DAY = 24 * 60 * 60;

  it("keeps the secure-store queue's plaintext an hour, a day at most in its dead-letter queue", () => {
    // Act
    const secure = queueRetention("secure-store");

    // Assess
    expect(secure).toEqual({ queueSeconds: 60 * 60, dlqSeconds: DAY });
  });

  it("keeps what the channel queues carry (ids, not content) 4 days, 14 in their dead-letter queues", () => {
    expect(QUEUE_NAMES.filter((q) => q !== "secure-store").map(queueRetention)).toEqual([
      { queueSeconds: 4 * DAY, dlqSeconds: 14 * DAY },
      { queueSeconds: 4 * DAY, dlqSeconds: 14 * DAY },
    ]);
  });

  it.each(QUEUE_NAMES)("keeps %s's dead letters longer than the queue keeps messages, within SQS's bounds", (queue) => {
    // Act
    const { queueSeconds, dlqSeconds } = queueRetention(queue);

    // Assess: SQS counts a dead letter's age from its first enqueue; 60 s to 14 days
    expect(dlqSeconds).toBeGreaterThan(queueSeconds);
    for (const seconds of [queueSeconds, dlqSeconds]) {
      expect(seconds).toBeGreaterThanOrEqual(60);
      expect(seconds).toBeLessThanOrEqual(14 * DAY);
    }
  });
});

describe("every function's Lambda settings", () => {
  it("run on arm64, minified and split, with no source maps in the package nor at run time by default", () => {
    // Act
    const defaults = lambdaDefaults({ sourceMaps: false });

    // Assess
    expect(defaults).toEqual({ architecture: "arm64", nodejs: { minify: true, splitting: true, plugins: "infra/bundling/plugins.mjs" } });
    expect(lambdaEnvironment({ sourceMaps: false })).toEqual({});
  });

  it("carry source maps and turn them on at run time when HERALD_SOURCE_MAPS=on asks", () => {
    // Act
    const defaults = lambdaDefaults({ sourceMaps: true });

    // Assess
    expect(defaults.nodejs).toEqual({ minify: true, splitting: true, plugins: "infra/bundling/plugins.mjs", sourcemap: true });
    expect(lambdaEnvironment({ sourceMaps: true })).toEqual({ NODE_OPTIONS: "--enable-source-maps" });
  });
});
