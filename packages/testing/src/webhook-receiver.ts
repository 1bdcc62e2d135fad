import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook, WebhookVerificationError } from "standardwebhooks";

/** One request the receiver got, and what checking its signature said. */
export type ReceivedWebhook = {
  at: Date;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** Verified with standardwebhooks' own Webhook.verify against one of the receiver's secrets. */
  verified: boolean;
  /** The event when verified (Webhook.verify's parse of the body). */
  event: { type?: string; timestamp?: string; data?: Record<string, unknown> } | undefined;
  /** What the receiver answered. */
  status: number;
};

export type WebhookReceiver = {
  url: string;
  port: number;
  received: ReceivedWebhook[];
  /** Replaces the secrets requests are verified with (e.g. once registration returned one). */
  setSecrets(secrets: readonly string[]): void;
  stop(): Promise<void>;
};

export type WebhookReceiverOptions = {
  port?: number;
  host?: string;
  secrets?: readonly string[];
  /**
   * The answer to the nth request (1-based): a status, or a redirect. Default: 204 when the
   * signature verifies, 401 when it does not.
   */
  respond?: (n: number, request: ReceivedWebhook) => number | { status: number; location: string };
  onRequest?: (request: ReceivedWebhook) => void;
};

/**
 * A receiver of Standard Webhooks for tests and for trying Herald by hand (`npm run
 * webhooks:receive`): verifies every request with the `standardwebhooks` package's own
 * verification (a different code path from Herald's signer) and keeps what came.
 */
export async function startWebhookReceiver(options: WebhookReceiverOptions = {}): Promise<WebhookReceiver> {
  let secrets = [...(options.secrets ?? [])];
  const received: ReceivedWebhook[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      let event: ReceivedWebhook["event"];
      for (const secret of secrets) {
        try {
          event = new Webhook(secret).verify(body, req.headers as Record<string, string>) as ReceivedWebhook["event"];
          break;
        } catch (error) {
          if (!(error instanceof WebhookVerificationError)) throw error;
        }
      }
      const request: ReceivedWebhook = { at: new Date(), path: req.url ?? "/", headers: req.headers, body, verified: event !== undefined, event, status: 0 };
      const answer = options.respond?.(received.length + 1, request) ?? (request.verified ? 204 : 401);
      received.push(request);
      if (typeof answer === "number") {
        request.status = answer;
        res.writeHead(answer).end();
      } else {
        request.status = answer.status;
        res.writeHead(answer.status, { location: answer.location }).end();
      }
      options.onRequest?.(request);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? "127.0.0.1"}:${port}`,
    port,
    received,
    setSecrets: (next) => {
      secrets = [...next];
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
