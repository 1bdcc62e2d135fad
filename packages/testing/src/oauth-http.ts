import type { IncomingMessage, ServerResponse } from "node:http";

/** Internal to the OAuth 2.0 server: client authentication and JSON answers. */

export type Credentials = { id: string; secret: string };

const MAX_BODY_BYTES = 64 * 1024;

/** HTTP Basic when the request has an Authorization header (RFC 6749 §2.3.1), else the form body. */
export function presentedCredentials(authorization: string | undefined, form: URLSearchParams | undefined): Credentials | undefined {
  if (authorization !== undefined) return basicCredentials(authorization);
  const id = form?.get("client_id");
  const secret = form?.get("client_secret");
  return typeof id === "string" && typeof secret === "string" ? { id, secret } : undefined;
}

/** Both halves are form-urlencoded before base64 (RFC 6749 §2.3.1), so "a+b" is "a b". */
export function basicCredentials(authorization: string | undefined): Credentials | undefined {
  const encoded = /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i.exec(authorization ?? "")?.[1];
  if (encoded === undefined) return undefined;
  const decoded = Buffer.from(encoded, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  const id = formDecode(decoded.slice(0, colon));
  const secret = formDecode(decoded.slice(colon + 1));
  return id !== undefined && secret !== undefined ? { id, secret } : undefined;
}

function formDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value.replaceAll("+", " "));
  } catch {
    return undefined;
  }
}

export function isFormEncoded(contentType: string | undefined): boolean {
  return contentType?.split(";")[0]?.trim().toLowerCase() === "application/x-www-form-urlencoded";
}

/** The whole body as text, or undefined past MAX_BODY_BYTES (read to the end, so the connection stays usable). */
export async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  }
  return size <= MAX_BODY_BYTES ? Buffer.concat(chunks).toString("utf8") : undefined;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", ...headers });
  res.end(JSON.stringify(body));
}

export function assertErrorStatus(times: number, status: number): void {
  if (!Number.isInteger(times) || times < 0) throw new RangeError("times must be a non-negative integer");
  if (!Number.isInteger(status) || status < 400 || status > 599) throw new RangeError("status must be an HTTP error status");
}
