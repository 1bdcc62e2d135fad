// @peculiar/x509 2.x resolves its algorithms through tsyringe, which needs the Reflect metadata API first.
import "reflect-metadata";
import { KeyObject, webcrypto } from "node:crypto";
import { mkdtemp, writeFile } from "node:fs/promises";
import { isIP } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as x509 from "@peculiar/x509";

export type TestCertificates = {
  /** A self-signed test CA (EC P-256): the one certificate a client must trust. */
  caPem: string;
  /** `caPem` in a fresh temp file, for settings that take a path (HERALD_SMTP_CA_FILE). */
  caFile: string;
  /** The server certificate, signed by the CA, for localhost, 127.0.0.1, ::1 and `hosts`. */
  certPem: string;
  /** Its private key, PKCS#8 PEM. */
  keyPem: string;
};

export type TestCertificateOptions = {
  /** More names the server certificate is valid for: IP literals become IP SANs, the rest DNS SANs. */
  hosts?: string[];
  /** How long the server certificate is valid from now (default 7); negative for one that has already expired. */
  validDays?: number;
};

const DEFAULT_VALID_DAYS = 7;
const DAY_MS = 24 * 60 * 60 * 1000;
// Backdated so a peer whose clock is a little behind still sees a valid certificate.
const CLOCK_SKEW_MS = 5 * 60 * 1000;
const KEY_ALGORITHM = { name: "ECDSA", namedCurve: "P-256" } as const;
const SIGNING_ALGORITHM = { name: "ECDSA", hash: "SHA-256" } as const;
const DEFAULT_HOSTS = ["localhost", "127.0.0.1", "::1"];

/**
 * A fresh CA and a server certificate it signed, for TLS tests against a real peer. Every call
 * makes new keys, so certificates from two calls never trust each other: the way to test a
 * client that is given the wrong CA.
 */
export async function makeTestCertificates(options: TestCertificateOptions = {}): Promise<TestCertificates> {
  const validDays = options.validDays ?? DEFAULT_VALID_DAYS;
  if (!Number.isFinite(validDays) || validDays === 0) throw new RangeError("validDays must be a non-zero number of days");
  const crypto = webcrypto;
  const now = Date.now();
  const notAfter = new Date(now + validDays * DAY_MS);
  // An expired certificate still needs notBefore < notAfter; the CA outlives every leaf it signs.
  const notBefore = new Date(Math.min(now - CLOCK_SKEW_MS, notAfter.getTime() - DAY_MS));
  const caNotAfter = new Date(now + (Math.max(validDays, 0) + 1) * DAY_MS);

  const caKeys = await crypto.subtle.generateKey(KEY_ALGORITHM, true, ["sign", "verify"]);
  const ca = await x509.X509CertificateGenerator.createSelfSigned(
    {
      name: "CN=Herald test CA, O=Herald tests",
      keys: caKeys,
      notBefore,
      notAfter: caNotAfter,
      signingAlgorithm: SIGNING_ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey, false, crypto),
      ],
    },
    crypto,
  );

  const serverKeys = await crypto.subtle.generateKey(KEY_ALGORITHM, true, ["sign", "verify"]);
  const server = await x509.X509CertificateGenerator.create(
    {
      subject: "CN=localhost, O=Herald tests",
      issuer: ca.subject,
      publicKey: serverKeys.publicKey,
      signingKey: caKeys.privateKey,
      notBefore,
      notAfter,
      signingAlgorithm: SIGNING_ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension(subjectAltNames(options.hosts ?? [])),
        await x509.SubjectKeyIdentifierExtension.create(serverKeys.publicKey, false, crypto),
        await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey, false, crypto),
      ],
    },
    crypto,
  );

  const caPem = ca.toString("pem");
  const caFile = join(await mkdtemp(join(tmpdir(), "herald-test-ca-")), "ca.pem");
  await writeFile(caFile, `${caPem}\n`, { mode: 0o600 });
  const keyPem = KeyObject.from(serverKeys.privateKey).export({ type: "pkcs8", format: "pem" }).toString();
  return { caPem, caFile, certPem: server.toString("pem"), keyPem };
}

function subjectAltNames(hosts: string[]): x509.JsonGeneralNames {
  const names = [...new Set([...DEFAULT_HOSTS, ...hosts].map((host) => host.trim().toLowerCase()).filter(Boolean))];
  return names.map((value) => ({ type: isIP(value) === 0 ? "dns" : "ip", value }));
}
