import { describe, expect, it } from "vitest";
import { TokenBucketLimiter } from "@herald/auth";
import { Roles } from "@herald/contracts";
import { fromAuthorizer } from "../../src/http/identity";
import { anIngestApp, NOW } from "./harness";

const email = { channel: "email", to: "someone@example.com", subject: "Hi", text: "Hello" };
const jsonHeaders = { "content-type": "application/json" };

/** The event hono/aws-lambda hands the app as c.env, with what API Gateway puts in it. */
function lambdaEnv(context: Record<string, unknown> | undefined) {
  return { event: { requestContext: context === undefined ? {} : { authorizer: { lambda: context } } } };
}

describe("identity from the AWS authorizer", () => {
  it("sends as the principal and tenant in the authorizer's context, and records them", async () => {
    // Prepare
    const { app, store } = await anIngestApp({ identify: fromAuthorizer({ now: () => NOW }) });
    const context = { principal: "alice", tenant: "acme", roles: "messages:send messages:read", expires_at: 0 };

    // Act
    const response = await app.request("/v1/messages", { method: "POST", headers: jsonHeaders, body: JSON.stringify(email) }, lambdaEnv(context));

    // Assess
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as { id: string };
    expect(await store.get(id)).toMatchObject({ principal: "alice", tenant: "acme" });
  });

  it("ignores credentials and identity headers sent by the client", async () => {
    // Prepare
    const { app, keyFor } = await anIngestApp({ identify: fromAuthorizer({ now: () => NOW }) });
    const key = await keyFor([Roles.send]);
    const headers = { ...jsonHeaders, "x-api-key": key, authorization: `Bearer ${key}`, "x-herald-principal": "alice", "x-herald-tenant": "acme" };

    // Act
    const response = await app.request("/v1/messages", { method: "POST", headers, body: JSON.stringify(email) }, lambdaEnv(undefined));

    // Assess
    expect(response.status).toBe(401);
  });

  it("refuses a context whose token has expired although API Gateway still caches it", async () => {
    // Prepare
    const { app } = await anIngestApp({ identify: fromAuthorizer({ now: () => NOW }) });
    const context = { principal: "alice", tenant: "acme", roles: "messages:send", expires_at: NOW.getTime() / 1000 - 1 };

    // Act
    const response = await app.request("/v1/messages", { method: "POST", headers: jsonHeaders, body: JSON.stringify(email) }, lambdaEnv(context));

    // Assess
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toContain('error="invalid_token"');
  });

  it("applies the roles from the context: read without send is 403 on send", async () => {
    // Prepare
    const { app } = await anIngestApp({ identify: fromAuthorizer({ now: () => NOW }) });
    const context = { principal: "alice", tenant: "acme", roles: "messages:read", expires_at: 0 };

    // Act
    const response = await app.request("/v1/messages", { method: "POST", headers: jsonHeaders, body: JSON.stringify(email) }, lambdaEnv(context));

    // Assess
    expect(response.status).toBe(403);
  });
});

describe("per-principal throttling", () => {
  it("answers 429 with Retry-After once a principal's bucket is empty, and not for another principal", async () => {
    // Prepare
    const clock = { t: NOW.getTime(), now: () => new Date(clock.t) };
    const { get, keyFor } = await anIngestApp({ throttle: new TokenBucketLimiter({ ratePerSecond: 1, burst: 3, clock }) });
    const alice = await keyFor([Roles.read], "acme", "alice");
    const bob = await keyFor([Roles.read], "acme", "bob");

    // Act
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await get("/v1/messages?recipient=x@example.com", alice)).status);
    const throttled = await get("/v1/messages?recipient=x@example.com", alice);
    const other = await get("/v1/messages?recipient=x@example.com", bob);
    clock.t += 1000;
    const recovered = await get("/v1/messages?recipient=x@example.com", alice);

    // Assess
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get("retry-after")).toBe("1");
    expect(await throttled.json()).toMatchObject({ code: "request.throttled", status: 429 });
    expect(other.status).toBe(200);
    expect(recovered.status).toBe(200);
  });
});

describe("per-principal throttling, per tenant", () => {
  it("gives the same principal name in another tenant a bucket of its own", async () => {
    // Prepare
    const clock = { t: NOW.getTime(), now: () => new Date(clock.t) };
    const { app } = await anIngestApp({
      identify: fromAuthorizer({ now: () => NOW }),
      throttle: new TokenBucketLimiter({ ratePerSecond: 1, burst: 2, clock }),
    });
    const as = (tenant: string) => lambdaEnv({ principal: "alice", tenant, roles: "messages:read", expires_at: 0 });
    const list = (tenant: string) => app.request("/v1/messages?recipient=x@example.com", {}, as(tenant));

    // Act
    const acme = [(await list("acme")).status, (await list("acme")).status, (await list("acme")).status];
    const globex = (await list("globex")).status;

    // Assess
    expect(acme).toEqual([200, 200, 429]);
    expect(globex).toBe(200);
  });
});

describe("CORS", () => {
  const origin = "https://app.example.com";
  const preflight = (from: string) => ({
    method: "OPTIONS",
    headers: { origin: from, "access-control-request-method": "POST", "access-control-request-headers": "content-type, authorization" },
  });

  it("answers a preflight from a configured origin without credentials", async () => {
    // Prepare
    const { app } = await anIngestApp({ corsOrigins: [origin] });

    // Act
    const response = await app.request("/v1/messages", preflight(origin));

    // Assess
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe(origin);
    expect(response.headers.get("access-control-allow-methods")).toContain("POST");
    expect(response.headers.get("access-control-allow-headers")).toContain("authorization");
  });

  it("refuses a preflight from any other origin", async () => {
    // Prepare
    const { app } = await anIngestApp({ corsOrigins: [origin] });

    // Act
    const response = await app.request("/v1/messages", preflight("https://evil.example"));

    // Assess
    expect(response.status).toBe(403);
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("marks responses to an allowed origin, and leaves others unmarked", async () => {
    // Prepare
    const { get, app, key } = await anIngestApp({ corsOrigins: [origin] });

    // Act
    const allowed = await app.request("/v1/messages?recipient=x@example.com", { headers: { "x-api-key": key, origin } });
    const other = await app.request("/v1/messages?recipient=x@example.com", { headers: { "x-api-key": key, origin: "https://evil.example" } });
    const plain = await get("/v1/messages?recipient=x@example.com");

    // Assess
    expect(allowed.headers.get("access-control-allow-origin")).toBe(origin);
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
    expect(plain.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("allows no origin at all when none is configured", async () => {
    // Prepare
    const { app } = await anIngestApp();

    // Act
    const response = await app.request("/v1/messages", preflight(origin));

    // Assess
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    expect(response.status).toBe(401);
  });
});
