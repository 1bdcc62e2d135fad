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

/** What the emulator answered a call that an `inspect` hook asked to see. */
export type ProxyAnswer = { status: number; body: string };

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
  /**
   * Called before a call is passed on (after its delay and fault, which it does not see); may
   * look at the emulator itself first (e.g. read the item a write will change), and returns what
   * to call with the answer once the emulator has given it, if it wants to see that too. A bench
   * accounts DynamoDB capacity with it; the call itself passes unchanged.
   */
  inspect?: (operation: string, body: string) => Promise<((answer: ProxyAnswer) => void | Promise<void>) | undefined>;
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
    const seeAnswer = options.inspect ? await options.inspect(operation, body.toString("utf8")).catch(() => undefined) : undefined;
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        if (!seeAnswer) {
          answer.pipe(res);
          return;
        }
        const parts: Buffer[] = [];
        answer.on("data", (chunk: Buffer) => parts.push(chunk));
        answer.on("end", () => {
          const whole = Buffer.concat(parts);
          // seen before the caller gets it, so whatever the hook reads follows this call
          void Promise.resolve(seeAnswer({ status: answer.statusCode ?? 502, body: whole.toString("utf8") }))
            .catch(() => undefined)
            .finally(() => res.end(whole));
        });
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
