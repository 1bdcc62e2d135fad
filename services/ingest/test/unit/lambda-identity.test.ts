import { handle, type LambdaContext, type LambdaEvent } from "hono/aws-lambda";
import { describe, expect, it } from "vitest";
import { fromAuthorizer } from "../../src/http/identity";
import { anIngestApp, NOW } from "./harness";

/** An HTTP API (payload 2.0) event as API Gateway sends it to the ingest function after the authorizer. */
function anEvent(authorizer: Record<string, unknown> | undefined, headers: Record<string, string> = {}): LambdaEvent {
  const body = JSON.stringify({ channel: "email", to: "someone@example.com", subject: "Hi", text: "Hello" });
  return {
    version: "2.0",
    routeKey: "POST /v1/messages",
    rawPath: "/v1/messages",
    rawQueryString: "",
    headers: { "content-type": "application/json", "content-length": String(body.length), host: "api.example.com", ...headers },
    body,
    isBase64Encoded: false,
    requestContext: {
      accountId: "123456789012",
      apiId: "api",
      domainName: "api.example.com",
      domainPrefix: "api",
      http: { method: "POST", path: "/v1/messages", protocol: "HTTP/1.1", sourceIp: "192.0.2.1", userAgent: "test" },
      requestId: "r-1",
      routeKey: "POST /v1/messages",
      stage: "$default",
      time: "23/Nov/2026:10:00:00 +0000",
      timeEpoch: NOW.getTime(),
      authentication: null,
      ...(authorizer && { authorizer: { lambda: authorizer } }),
    },
  } as LambdaEvent;
}

describe("the ingest Lambda behind the authorizer", () => {
  it("reads the identity from requestContext.authorizer.lambda through hono/aws-lambda", async () => {
    // Prepare
    const { app, store } = await anIngestApp({ identify: fromAuthorizer({ now: () => NOW }) });
    const handler = handle(app);

    // Act
    const result = await handler(anEvent({ principal: "alice", tenant: "acme", roles: "messages:send", expires_at: 0 }), {} as LambdaContext);

    // Assess
    expect(result.statusCode).toBe(202);
    const { id } = JSON.parse(result.body ?? "{}") as { id: string };
    expect(await store.get(id)).toMatchObject({ principal: "alice", tenant: "acme" });
  });

  it("answers 401 when the event has no authorizer context, whatever headers claim", async () => {
    // Prepare
    const { app, keyFor } = await anIngestApp({ identify: fromAuthorizer({ now: () => NOW }) });
    const key = await keyFor();
    const handler = handle(app);

    // Act
    const result = await handler(anEvent(undefined, { "x-api-key": key, "x-herald-tenant": "acme" }), {} as LambdaContext);

    // Assess
    expect(result.statusCode).toBe(401);
  });
});
