import nodemailer from "nodemailer";
import type { SendMailOptions } from "nodemailer/lib/mailer";
import type { SMTPPoolOptions } from "nodemailer/lib/smtp-pool";
import type { SMTPTransportOptions } from "nodemailer/lib/smtp-transport";
import { afterEach } from "vitest";
import { startSmtpServer, type SmtpServerOptions, type SmtpTestServer, type TestCertificates } from "../../src/index";

/** What nodemailer rejects with: an Error with the SMTP reply, when there was one. */
export type SmtpClientError = Error & { code?: string; responseCode?: number; response?: string; command?: string };

// Short, so a test that goes wrong fails in seconds instead of waiting for nodemailer's minutes.
const CLIENT_TIMEOUTS = { connectionTimeout: 3_000, greetingTimeout: 3_000, socketTimeout: 5_000 };

export function message(overrides: SendMailOptions = {}): SendMailOptions {
  return {
    from: "herald@example.test",
    to: "alice@example.test",
    subject: "Your code",
    text: "Your code is 123456.",
    ...overrides,
  };
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<SmtpClientError> {
  try {
    await promise;
  } catch (error) {
    return error as SmtpClientError;
  }
  throw new Error("expected a rejection");
}

/**
 * Servers and nodemailer clients for one test file, closed after each test. Clients default to
 * what Herald's transport does: STARTTLS required, the test CA trusted.
 */
export function smtpPeers(certificates: () => TestCertificates) {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  return {
    async server(options: Partial<SmtpServerOptions> = {}): Promise<SmtpTestServer> {
      const server = await startSmtpServer({ tls: "starttls", certificates: certificates(), ...options });
      cleanups.push(() => server.stop());
      return server;
    },
    client(server: SmtpTestServer, options: SMTPTransportOptions = {}) {
      const transport = nodemailer.createTransport({ ...clientDefaults(server, certificates()), ...options });
      cleanups.push(() => transport.close());
      return transport;
    },
    pool(server: SmtpTestServer, options: SMTPPoolOptions = {}) {
      const transport = nodemailer.createTransport({ ...clientDefaults(server, certificates()), ...options, pool: true });
      cleanups.push(() => transport.close());
      return transport;
    },
  };
}

function clientDefaults(server: SmtpTestServer, certificates: TestCertificates): SMTPTransportOptions {
  return {
    host: server.host,
    port: server.port,
    secure: false,
    requireTLS: true,
    tls: { ca: [certificates.caPem] },
    ...CLIENT_TIMEOUTS,
  };
}
