import type { OpenAPIHono } from "@hono/zod-openapi";
// Only the webhooks module: the rest of the twilio package (its REST client) is never loaded here.
import { validateRequest } from "twilio/lib/webhooks/webhooks";
import type { Secret } from "@herald/platform";
import { applyTwilioStatus, type TwilioStatusDeps } from "../domain/twilio-status";
import type { AppEnv } from "../http/env";
import { problemResponse } from "../http/problem";

export const TWILIO_STATUS_PATH = "/v1/providers/twilio/status";

export type TwilioRouteDeps = TwilioStatusDeps & {
  /** Twilio's status callbacks: the public URL Twilio posts to (HERALD_TWILIO_STATUS_CALLBACK) and the auth token that signs them. */
  twilio?: { statusCallback: string; authToken: Secret };
};

/**
 * POST /v1/providers/twilio/status: no API key or token (Twilio has none); the X-Twilio-Signature
 * is its authentication, checked with the twilio package's validateRequest against the exact
 * public URL Twilio was given (HERALD_TWILIO_STATUS_CALLBACK plus this request's query string,
 * which carries the Herald message id). A bad or missing signature is 403 and changes nothing.
 * Registered before the identity and JSON middleware: its body is a form.
 */
export function registerTwilioRoutes(app: OpenAPIHono<AppEnv>, deps: TwilioRouteDeps): void {
  const { twilio } = deps;
  if (!twilio) return;
  app.post(TWILIO_STATUS_PATH, async (c) => {
    const signature = c.req.header("x-twilio-signature");
    const form = await c.req.parseBody().catch(() => undefined);
    const params = Object.fromEntries(Object.entries(form ?? {}).filter((e): e is [string, string] => typeof e[1] === "string"));
    const query = new URL(c.req.url).search;
    const url = `${twilio.statusCallback.split("?")[0]}${query}`;
    const valid = signature !== undefined && form !== undefined && validateRequest(await twilio.authToken.value(), signature, url, params);
    if (!valid) return problemResponse(c, 403, "twilio.bad_signature", "The X-Twilio-Signature is missing or does not match");
    const messageId = new URL(c.req.url).searchParams.get("message_id");
    if (!messageId || !/^[0-9a-f-]{36}$/.test(messageId)) return problemResponse(c, 400, "twilio.no_message", "The callback names no Herald message");
    await applyTwilioStatus(messageId, params, deps);
    return c.body(null, 204);
  });
}
