import { createHmac } from "node:crypto";
import { WEBHOOK_SECRET_PREFIX } from "@herald/contracts";

export type SignatureHeaders = Record<"webhook-id" | "webhook-timestamp" | "webhook-signature", string>;

/** Standard base64, padded: what generateSecret writes after the prefix. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * The Standard Webhooks headers for one post, signed with each secret that still signs (after a
 * rotation, the new and the old one for 24 h): the signatures are space-separated in
 * `webhook-signature`, as the specification allows, so a receiver holding either secret verifies
 * the post.
 *
 * The signature is the specification's `v1,` + base64(HMAC-SHA256(key, `id.timestamp.body`)),
 * the key being the base64 after `whsec_`, computed with node:crypto rather than the
 * `standardwebhooks` package: that package's sign() does just this through pure-JS SHA-256 and
 * base64 (~12 KB of the webhooks consumer's cold start). Its verify() stays the reference the
 * tests check these headers against. Like it, a secret that is not base64, or empty, is refused.
 */
export function signatureHeaders(eventId: string, at: Date, body: string, secrets: readonly string[]): SignatureHeaders {
  if (secrets.length === 0) throw new Error("no signing secret");
  const timestamp = String(Math.floor(at.getTime() / 1000));
  const signed = `${eventId}.${timestamp}.${body}`;
  return {
    "webhook-id": eventId,
    "webhook-timestamp": timestamp,
    "webhook-signature": secrets.map((secret) => `v1,${createHmac("sha256", signingKey(secret)).update(signed, "utf8").digest("base64")}`).join(" "),
  };
}

function signingKey(secret: string): Buffer {
  const encoded = secret.startsWith(WEBHOOK_SECRET_PREFIX) ? secret.slice(WEBHOOK_SECRET_PREFIX.length) : secret;
  if (!BASE64.test(encoded)) throw new Error("webhook secret is not base64");
  if (encoded.length === 0) throw new Error("webhook secret is empty");
  return Buffer.from(encoded, "base64");
}
