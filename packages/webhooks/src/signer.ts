import { Webhook } from "standardwebhooks";

export type SignatureHeaders = Record<"webhook-id" | "webhook-timestamp" | "webhook-signature", string>;

/**
 * The Standard Webhooks headers for one post, signed by the `standardwebhooks` package with each
 * secret that still signs (after a rotation, the new and the old one for 24 h): the signatures are
 * space-separated in `webhook-signature`, as the specification allows, so a receiver holding
 * either secret verifies the post.
 */
export function signatureHeaders(eventId: string, at: Date, body: string, secrets: readonly string[]): SignatureHeaders {
  if (secrets.length === 0) throw new Error("no signing secret");
  return {
    "webhook-id": eventId,
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": secrets.map((secret) => new Webhook(secret).sign(eventId, at, body)).join(" "),
  };
}
