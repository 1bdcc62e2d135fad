import { createPrivateKey, X509Certificate } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { connect, createServer, type ConnectionOptions } from "node:tls";
import { beforeAll, describe, expect, it } from "vitest";
import { makeTestCertificates, type TestCertificates } from "../../src/index";

type Handshake = { ok: true; authorized: boolean } | { ok: false; code: string };

/** One TLS handshake against a server with these certificates: what the client concluded. */
async function handshake(certificates: TestCertificates, client: ConnectionOptions): Promise<Handshake> {
  const server = createServer({ cert: certificates.certPem, key: certificates.keyPem }, (socket) => socket.end());
  server.on("tlsClientError", () => undefined);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  try {
    return await new Promise<Handshake>((resolve) => {
      const socket = connect({ host: "127.0.0.1", port, ...client }, () => {
        resolve({ ok: true, authorized: socket.authorized });
        socket.destroy();
      });
      socket.once("error", (error: NodeJS.ErrnoException) => resolve({ ok: false, code: error.code ?? error.message }));
    });
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

let certificates: TestCertificates;

beforeAll(async () => {
  certificates = await makeTestCertificates({ hosts: ["mail.herald.test", "10.1.2.3"] });
});

describe("makeTestCertificates", () => {
  it("is trusted by Node's TLS for localhost and for 127.0.0.1 when the client has the CA", async () => {
    // Act
    const byName = await handshake(certificates, { ca: [certificates.caPem], servername: "localhost" });
    const byAddress = await handshake(certificates, { ca: [certificates.caPem] });

    // Assess
    expect(byName).toEqual({ ok: true, authorized: true });
    expect(byAddress).toEqual({ ok: true, authorized: true });
  });

  it("is refused as untrusted when the client lacks the CA or has another call's CA", async () => {
    // Prepare
    const other = await makeTestCertificates();

    // Act
    const withoutCa = await handshake(certificates, { servername: "localhost" });
    const wrongCa = await handshake(certificates, { ca: [other.caPem], servername: "localhost" });

    // Assess
    expect(withoutCa).toEqual({ ok: false, code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE" });
    expect(wrongCa).toEqual({ ok: false, code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE" });
  });

  it("covers the extra hosts, and no other name", async () => {
    // Act
    const extraName = await handshake(certificates, { ca: [certificates.caPem], servername: "mail.herald.test" });
    const otherName = await handshake(certificates, { ca: [certificates.caPem], servername: "smtp.example.com" });

    // Assess
    expect(extraName).toEqual({ ok: true, authorized: true });
    expect(otherName).toEqual({ ok: false, code: "ERR_TLS_CERT_ALTNAME_INVALID" });
  });

  it("is refused as expired when validDays is negative", async () => {
    // Prepare
    const expired = await makeTestCertificates({ validDays: -1 });

    // Act
    const answer = await handshake(expired, { ca: [expired.caPem], servername: "localhost" });

    // Assess
    expect(answer).toEqual({ ok: false, code: "CERT_HAS_EXPIRED" });
  });

  it("makes a CA for signing only and a server certificate for serverAuth with the loopback names", async () => {
    // Act
    const ca = new X509Certificate(certificates.caPem);
    const leaf = new X509Certificate(certificates.certPem);

    // Assess
    expect(ca.ca).toBe(true);
    expect(leaf.ca).toBe(false);
    expect(leaf.checkIssued(ca)).toBe(true);
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.keyUsage).toEqual(["1.3.6.1.5.5.7.3.1"]);
    expect(leaf.subjectAltName?.split(", ").sort()).toEqual(
      ["DNS:localhost", "DNS:mail.herald.test", "IP Address:0:0:0:0:0:0:0:1", "IP Address:10.1.2.3", "IP Address:127.0.0.1"].sort(),
    );
    expect(leaf.checkPrivateKey(createPrivateKey(certificates.keyPem))).toBe(true);
    expect(certificates.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
  });

  it("writes the CA to a fresh file per call", async () => {
    // Prepare
    const other = await makeTestCertificates();

    // Act
    const written = await readFile(certificates.caFile, "utf8");

    // Assess
    expect(written.trim()).toBe(certificates.caPem.trim());
    expect(other.caFile).not.toBe(certificates.caFile);
    expect(other.caPem).not.toBe(certificates.caPem);
  });
});
