import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from "node:http";
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
 * test answer some calls itself (throttling, 5xx) to inject provider faults.
 */
export async function startAwsProxy(options: {
  target: string;
  fault?: (operation: string) => ProxyDecision;
  /** Milliseconds to hold a call before passing it on (or answering it with its fault): a slow provider. */
  delay?: (operation: string) => number | undefined;
}): Promise<AwsProxy> {
  const target = new URL(options.target);
  const counts = new Map<string, number>();
  const injected = new Map<string, number>();
  const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);

  const server: Server = createServer((req, res) => {
    const operation = operationOf(req);
    bump(counts, operation);
    const ms = options.delay?.(operation);
    if (ms) {
      // The body waits paused; a caller that gave up meanwhile (its timeout) gets nothing passed on.
      req.pause();
      setTimeout(() => {
        if (!res.destroyed) pass(operation, req, res);
      }, ms);
      return;
    }
    pass(operation, req, res);
  });
  const pass = (operation: string, req: IncomingMessage, res: ServerResponse) => {
    const decision = options.fault?.(operation);
    if (decision) {
      bump(injected, operation);
      req.resume();
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
    req.pipe(upstream);
  };
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
