import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";
import { checkWebhookUrl, refusedAddress, type UrlPolicy } from "./url-policy";

export type PostRequest = {
  url: string;
  body: string;
  headers: Record<string, string>;
  /** The whole post: DNS, connect, TLS, the answer's status and the little of its body that is read. */
  timeoutMs: number;
  policy: UrlPolicy;
  /** DNS resolution (node:dns lookup unless given: tests make a name resolve where they need it). */
  lookup?: typeof dnsLookup;
  /** The certificates https trusts instead of the system's roots: tests' own CA; the consumer never sets it. */
  ca?: string;
};

export type PostResult = {
  ok: boolean;
  status_code?: number;
  latency_ms: number;
  /** Why it failed, in Herald's words: never the response body. */
  error?: string;
};

/** At most this much of an answer is read; the rest is dropped with the connection. Never stored. */
export const RESPONSE_CAP_BYTES = 4096;
const USER_AGENT = "Herald-Webhooks/1";

class Refused extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = "Refused";
  }
}

/**
 * Posts one webhook, written on node:http(s) rather than fetch because the address check must sit
 * in the socket's own lookup: the name is resolved once, every address it resolves to is checked
 * (refusedAddress), and the connection goes to the checked address, so a DNS answer that changes
 * between a check and the connect (rebinding) cannot send it elsewhere. No redirect is followed
 * (a 3xx is a failure); at most RESPONSE_CAP_BYTES of the answer are read; one deadline covers
 * everything.
 */
export async function postWebhook(request: PostRequest): Promise<PostResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const checked = checkWebhookUrl(request.url, request.policy);
  if (!checked.ok) return { ok: false, latency_ms: 0, error: `refused: ${checked.reason}` };
  const { url } = checked;
  const resolve = request.lookup ?? dnsLookup;
  const guardedLookup: LookupFunction = (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, "", 4);
      // asked for all: a list; a lookup that answers with one address anyway is read as a list of one
      const all: LookupAddress[] = Array.isArray(addresses)
        ? addresses
        : [{ address: addresses as unknown as string, family: (addresses as unknown as string).includes(":") ? 6 : 4 }];
      const refused = all.map((a) => refusedAddress(a.address, request.policy)).find((reason) => reason !== undefined);
      if (refused || all.length === 0) return callback(new Refused(refused ?? "no address"), "", 4);
      const first = all[0] as LookupAddress;
      // Node asks for all addresses when it tries them in turn (autoSelectFamily): hand back the checked ones
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, all);
      callback(null, first.address, first.family);
    });
  };

  return new Promise<PostResult>((done) => {
    let settled = false;
    /** The status line, once it came: what a deadline that falls while the body is read reports. */
    let answered: number | undefined;
    const finish = (result: Omit<PostResult, "latency_ms">) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      done({ ...result, latency_ms: elapsed() });
    };
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    const req = send(
      url,
      {
        method: "POST",
        lookup: guardedLookup,
        headers: {
          "content-type": "application/json",
          "user-agent": USER_AGENT,
          "content-length": String(Buffer.byteLength(request.body)),
          ...request.headers,
        },
        // every post its own connection: a pooled socket would skip the lookup (and its check)
        agent: false,
        ...(request.ca !== undefined && { ca: request.ca }),
      },
      (res: IncomingMessage) => {
        const status = res.statusCode ?? 0;
        answered = status;
        let read = 0;
        res.on("data", (chunk: Buffer) => {
          read += chunk.length;
          // enough: the body is never used; stop reading what a hostile endpoint may stream forever
          if (read >= RESPONSE_CAP_BYTES) finish(outcome(status));
        });
        res.on("end", () => finish(outcome(status)));
        res.on("error", () => finish(outcome(status)));
      },
    );
    // A 2xx whose body is slow is still a 2xx within the deadline: the answer is its status line.
    const timer = setTimeout(() => finish(answered === undefined ? { ok: false, error: "timeout" } : outcome(answered)), request.timeoutMs);
    req.on("error", (error: Error) => {
      if (error instanceof Refused) return finish({ ok: false, error: `refused: ${error.message}` });
      const code = (error as NodeJS.ErrnoException).code;
      finish({ ok: false, error: code === "ENOTFOUND" ? "host not found" : `connection failed${code ? ` (${code})` : ""}` });
    });
    req.end(request.body);
  });
}

function outcome(status: number): Omit<PostResult, "latency_ms"> {
  if (status >= 200 && status < 300) return { ok: true, status_code: status };
  if (status >= 300 && status < 400) return { ok: false, status_code: status, error: "redirect not followed" };
  return { ok: false, status_code: status, error: `answered ${status}` };
}
