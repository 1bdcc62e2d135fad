import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startOAuthServer, type OAuthServer } from "@herald/testing";
import { cleanUp, startStack, stopEmulators, untilRunning, waitFor, type Local } from "./stack";

let idp: OAuthServer;
beforeAll(async () => {
  idp = await startOAuthServer();
});
afterEach(cleanUp);
afterAll(async () => {
  await stopEmulators();
  await idp?.stop();
});

/** A client that authenticates with an OAuth 2.0 bearer token. */
function withToken(local: Local, token: string) {
  const headers = { "content-type": "application/json", authorization: `Bearer ${token}` };
  return {
    send: (body: unknown) => fetch(`${local.url}/v1/messages`, { method: "POST", headers, body: JSON.stringify(body) }),
    get: (id: string) => fetch(`${local.url}/v1/messages/${id}`, { headers }),
    list: (recipient: string) => fetch(`${local.url}/v1/messages?recipient=${encodeURIComponent(recipient)}`, { headers }),
    decrypt: (id: string) => fetch(`${local.url}/v1/messages/${id}/decrypt`, { method: "POST", headers }),
    erase: (recipient: string) => fetch(`${local.url}/v1/recipients/erase`, { method: "POST", headers, body: JSON.stringify({ recipient }) }),
  };
}

describe("npm start with OAuth 2.0 introspection against a local OAuth server", () => {
  it("sends with the send role, 403 without, 401 expired, keeps tenants apart, introspects once per token, throttles", async () => {
    // Prepare: the stack as `npm start` runs it, configured as the README says
    const stack = await startStack({
      HERALD_OAUTH_INTROSPECTION_URL: idp.introspectionUrl,
      HERALD_OAUTH_CLIENT_ID: idp.clientId,
      HERALD_OAUTH_CLIENT_SECRET: idp.clientSecret,
      HERALD_OAUTH_ISSUER: idp.issuer,
      HERALD_OAUTH_AUDIENCE: "herald",
      HERALD_RATE_LIMIT: "20",
      HERALD_RATE_BURST: "150",
    });
    const local = await untilRunning(stack);
    expect(stack.output()).toContain(`bearer tokens introspected at ${idp.introspectionUrl}`);
    const aliceToken = await idp.token({ sub: "alice", tenant: "tenant-a", scope: "messages:send messages:read messages:decrypt" });
    const alice = withToken(local, aliceToken);
    const reader = withToken(local, await idp.token({ sub: "rita", tenant: "tenant-a", scope: "messages:read" }));
    const expired = withToken(local, await idp.token({ sub: "alice", tenant: "tenant-a", scope: "messages:send", expiresIn: -30 }));
    const tenantB = withToken(
      local,
      await idp.token({ sub: "alice", tenant: "tenant-b", scope: "messages:send messages:read-all messages:decrypt messages:erase" }),
    );
    const secret = { channel: "email", to: "vault@example.com", subject: "Recovery code", text: "code 271828", store_secure: true };

    // Act + Assess: a token with the send role sends
    const sent = await alice.send(secret);
    expect(sent.status).toBe(202);
    const { id } = (await sent.json()) as { id: string };
    await waitFor("the content to be sealed", async () => ((await alice.decrypt(id)).status === 200 ? true : undefined), 30_000);

    // without the send role: 403; expired: 401
    expect((await reader.send(secret)).status).toBe(403);
    const refused = await expired.send(secret);
    expect(refused.status).toBe(401);
    expect(refused.headers.get("www-authenticate")).toContain('error="invalid_token"');

    // tenant B (same sub, every role) cannot read, list, decrypt or erase tenant A's message
    expect((await tenantB.get(id)).status).toBe(404);
    expect((await tenantB.decrypt(id)).status).toBe(404);
    expect(((await (await tenantB.list("vault@example.com")).json()) as { items: unknown[] }).items).toEqual([]);
    expect(await (await tenantB.erase("vault@example.com")).json()).toMatchObject({ erased: 0 });
    const stillThere = (await (await alice.get(id)).json()) as { erased?: boolean; principal: string; tenant: string };
    expect(stillThere).toMatchObject({ principal: "alice", tenant: "tenant-a" });
    expect(stillThere.erased).not.toBe(true);
    expect(await (await alice.decrypt(id)).json()).toMatchObject({ text: "code 271828" });

    // 100 requests with one new token: one introspection call
    const counter = withToken(local, await idp.token({ sub: "carl", tenant: "tenant-a", scope: "messages:read" }));
    idp.resetCounts();
    const statuses = new Set<number>();
    for (let i = 0; i < 100; i++) statuses.add((await counter.list("vault@example.com")).status);
    const calls = idp.introspectionCalls();
    process.stdout.write(`introspection calls for 100 requests with one token through npm start: ${calls}\n`);
    expect(statuses).toEqual(new Set([200]));
    expect(calls).toBe(1);

    // the same principal, past its bucket: 429 with Retry-After, then served again
    const burst = await Promise.all(Array.from({ length: 150 }, () => counter.list("vault@example.com")));
    const throttled = burst.find((r) => r.status === 429);
    expect(throttled?.headers.get("retry-after")).toMatch(/^[1-9]\d*$/);
    await new Promise((r) => setTimeout(r, Number(throttled?.headers.get("retry-after") ?? 1) * 1000));
    expect((await counter.list("vault@example.com")).status).toBe(200);

    // no token, body or recipient address in any service's log
    const logs = stack.output();
    expect(logs).toContain("request");
    for (const leak of [aliceToken, aliceToken.split(".")[2] ?? "", "code 271828", "vault@example.com"]) expect(logs).not.toContain(leak);
  });
});
