import { createServer, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { lookup } from "node:dns";
import { afterEach, describe, expect, it } from "vitest";
import { makeTestCertificates } from "@herald/testing";
import { postWebhook, RESPONSE_CAP_BYTES } from "../../src/http-sender";

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => (s.closeAllConnections(), s.close(r)))));
});

type Hit = { method?: string; headers: Record<string, unknown>; body: string };

async function serve(answer: (hit: Hit, res: import("node:http").ServerResponse) => void): Promise<{ port: number; hits: Hit[] }> {
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      const hit = { method: req.method, headers: req.headers, body };
      hits.push(hit);
      answer(hit, res);
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { port: (server.address() as AddressInfo).port, hits };
}

const local = { allowLoopback: true };
const aws = { allowLoopback: false };
const post = (url: string, overrides: Partial<Parameters<typeof postWebhook>[0]> = {}) =>
  postWebhook({ url, body: '{"type":"message.sent"}', headers: { "webhook-id": "evt_1" }, timeoutMs: 2000, policy: local, ...overrides });

/** A lookup that resolves every name to `address` (a name the test owns, e.g. hooks.test). */
const resolvesTo = (address: string): typeof lookup =>
  ((_host: string, _options: unknown, callback: (e: null, a: { address: string; family: number }[]) => void) =>
    callback(null, [{ address, family: address.includes(":") ? 6 : 4 }])) as unknown as typeof lookup;

describe("postWebhook", () => {
  it("posts the body and headers and calls a 2xx success", async () => {
    const receiver = await serve((_hit, res) => res.writeHead(204).end());
    const result = await post(`http://127.0.0.1:${receiver.port}/herald`);
    expect(result).toMatchObject({ ok: true, status_code: 204 });
    expect(result.latency_ms).toBeGreaterThanOrEqual(0);
    expect(receiver.hits[0]).toMatchObject({ method: "POST", body: '{"type":"message.sent"}' });
    expect(receiver.hits[0]?.headers).toMatchObject({ "content-type": "application/json", "webhook-id": "evt_1", "user-agent": "Herald-Webhooks/1" });
  });

  it("calls any other answer a failure, with its status and never its body", async () => {
    const receiver = await serve((_hit, res) => res.writeHead(500).end("secret stack trace"));
    const result = await post(`http://127.0.0.1:${receiver.port}/`);
    expect(result).toMatchObject({ ok: false, status_code: 500, error: "answered 500" });
    expect(JSON.stringify(result)).not.toContain("stack trace");
  });

  it("does not follow a redirect", async () => {
    const target = await serve((_hit, res) => res.writeHead(204).end());
    const redirector = await serve((_hit, res) => res.writeHead(302, { location: `http://127.0.0.1:${target.port}/` }).end());
    expect(await post(`http://127.0.0.1:${redirector.port}/`)).toMatchObject({ ok: false, status_code: 302, error: "redirect not followed" });
    expect(target.hits).toHaveLength(0);
  });

  it("refuses loopback when not allowed: a literal address, and a name that resolves to it", async () => {
    const receiver = await serve((_hit, res) => res.writeHead(204).end());
    expect(await post(`https://127.0.0.1:${receiver.port}/`, { policy: aws })).toMatchObject({ ok: false, error: "refused: loopback address refused" });
    // https, a name: passes the URL check; the lookup finds loopback and nothing is connected to
    expect(await post(`https://localhost:${receiver.port}/`, { policy: aws })).toMatchObject({ ok: false, error: "refused: loopback address refused" });
    expect(await post(`https://hooks.test:${receiver.port}/`, { policy: aws, lookup: resolvesTo("127.0.0.1") })).toMatchObject({
      ok: false,
      error: "refused: loopback address refused",
    });
    expect(receiver.hits).toHaveLength(0);
  });

  it("refuses a name that resolves to a private, metadata or unique-local address, even in the local stack", async () => {
    for (const [address, why] of [
      ["10.0.0.5", "private"],
      ["169.254.169.254", "link-local"],
      ["fd00:ec2::254", "unique-local"],
    ] as const) {
      const result = await post("https://hooks.test/", { lookup: resolvesTo(address) });
      expect(result, address).toMatchObject({ ok: false, error: `refused: ${why} address refused` });
    }
  });

  it("connects to the address it checked", async () => {
    const receiver = await serve((_hit, res) => res.writeHead(200).end());
    const result = await post(`http://localhost:${receiver.port}/`, { lookup: resolvesTo("127.0.0.1") });
    expect(result).toMatchObject({ ok: true, status_code: 200 });
    expect(receiver.hits).toHaveLength(1);
  });

  it("gives up a slow endpoint at the deadline", async () => {
    const receiver = await serve(() => undefined); // never answers
    const started = Date.now();
    const result = await post(`http://127.0.0.1:${receiver.port}/`, { timeoutMs: 300 });
    expect(result).toMatchObject({ ok: false, error: "timeout" });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it("reads no more than a few KiB of an endless answer", async () => {
    let written = 0;
    const receiver = await serve((_hit, res) => {
      res.writeHead(200);
      const chunk = Buffer.alloc(64 * 1024, 120);
      const pump = () => {
        while (written < 50 * 1024 * 1024 && res.write(chunk)) written += chunk.length;
        if (written < 50 * 1024 * 1024) res.once("drain", pump);
      };
      res.on("error", () => undefined);
      pump();
    });
    const result = await post(`http://127.0.0.1:${receiver.port}/`);
    expect(result).toMatchObject({ ok: true, status_code: 200 });
    expect(written).toBeLessThan(10 * 1024 * 1024);
    expect(RESPONSE_CAP_BYTES).toBe(4096);
  });

  it("calls a 2xx whose body is still coming at the deadline a success: the status line is the answer", async () => {
    const receiver = await serve((_hit, res) => {
      res.writeHead(200);
      res.write("still ");
      // and never ends
    });
    const started = Date.now();
    const result = await post(`http://127.0.0.1:${receiver.port}/`, { timeoutMs: 300 });
    expect(result).toMatchObject({ ok: true, status_code: 200 });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it("posts over https to the checked address, verifying the certificate against the name, not the address", async () => {
    // Prepare: a certificate for hooks.test only, served on loopback; hooks.test resolves there
    const certificates = await makeTestCertificates({ hosts: ["hooks.test"] });
    const hits: string[] = [];
    const server = createHttpsServer({ cert: certificates.certPem, key: certificates.keyPem }, (req, res) => {
      hits.push(req.headers.host ?? "");
      res.writeHead(204).end();
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as AddressInfo;
    const viaName = { lookup: resolvesTo("127.0.0.1"), ca: certificates.caPem };

    // Act
    const good = await post(`https://hooks.test:${port}/herald`, viaName);
    const otherName = await post(`https://other.test:${port}/herald`, viaName);
    const untrusted = await post(`https://hooks.test:${port}/herald`, { ...viaName, ca: (await makeTestCertificates({ hosts: ["hooks.test"] })).caPem });
    const onAws = await post(`https://hooks.test:${port}/herald`, { ...viaName, policy: aws });

    // Assess
    expect(good).toMatchObject({ ok: true, status_code: 204 });
    expect(otherName).toMatchObject({ ok: false, error: "connection failed (ERR_TLS_CERT_ALTNAME_INVALID)" });
    expect(untrusted).toMatchObject({ ok: false });
    expect(untrusted.error).toMatch(/^connection failed \(/);
    expect(onAws).toMatchObject({ ok: false, error: "refused: loopback address refused" });
    expect(hits).toEqual([`hooks.test:${port}`]);
  });

  it("says so when the host does not exist or refuses the connection", async () => {
    expect(await post("https://no-such-host.invalid/", { policy: aws })).toMatchObject({ ok: false, error: "host not found" });
    const receiver = await serve(() => undefined);
    const port = receiver.port;
    await new Promise((r) => (servers[0]?.closeAllConnections(), servers.splice(0)[0]?.close(r)));
    expect(await post(`http://127.0.0.1:${port}/`)).toMatchObject({ ok: false, error: "connection failed (ECONNREFUSED)" });
  });
});
