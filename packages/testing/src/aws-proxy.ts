import { createServer, request as httpRequest, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** "DynamoDB_20120810.PutItem" → "DynamoDB.PutItem"; SES v2's REST calls by method and path. */
export function operationOf(req: IncomingMessage): string {
  const target = req.headers["x-amz-target"];
  if (typeof target === "string") {
    const [service = "", op = ""] = target.split(".");
    return `${service.replace(/_\d+$/, "").replace(/^AmazonSQS$/, "SQS").replace(/^TrentService$/, "KMS")}.${op}`;
  }
  const path = (req.url ?? "").split("?")[0] ?? "";
  if (path === "/v2/email/outbound-emails") return "SESv2.SendEmail";
  return `${req.method} ${path}`;
}

export type ProxyDecision = { status: number; body: string; headers?: Record<string, string> } | undefined;

export type AwsProxy = {
  endpoint: string;
  /** Requests seen, by operation. */
  counts: Map<string, number>;
  /** Requests answered by the fault hook instead of the target, by operation. */
  injected: Map<string, number>;
  stop(): Promise<void>;
};

/**
 * A loopback HTTP proxy in front of the emulator: counts every AWS call by operation, and lets a
 * test answer some calls itself (throttling, 5xx) to inject provider faults. The hook sees the
 * request's body too, to pick out one kind of call (e.g. an UpdateItem on one key prefix).
 */
export async function startAwsProxy(options: {
  target: string;
  fault?: (operation: string, body: string) => ProxyDecision;
  /** Milliseconds to hold a call before passing it on (or answering it with its fault): a slow provider. */
  delay?: (operation: string) => number | undefined;
}): Promise<AwsProxy> {
  const target = new URL(options.target);
  const counts = new Map<string, number>();
  const injected = new Map<string, number>();
  const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);

  const server: Server = createServer(async (req, res) => {
    const operation = operationOf(req);
    bump(counts, operation);
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of req) chunks.push(chunk as Buffer);
    } catch {
      res.destroy(); // the caller went away mid-request
      return;
    }
    const body = Buffer.concat(chunks);
    const ms = options.delay?.(operation);
    if (ms) {
      await new Promise((resolve) => setTimeout(resolve, ms));
      // a caller that gave up meanwhile (its timeout) gets nothing passed on
      if (res.destroyed || req.socket.destroyed) return;
    }
    const decision = options.fault?.(operation, body.toString("utf8"));
    if (decision) {
      bump(injected, operation);
      res.writeHead(decision.status, { "content-type": "application/json", ...decision.headers });
      res.end(decision.body);
      return;
    }
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => {
      res.writeHead(502);
      res.end();
    });
    upstream.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    counts,
    injected,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
