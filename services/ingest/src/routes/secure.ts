import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { DecryptedMessage, EraseRecipientRequest, Erasure, MessageId } from "@herald/contracts";
import * as z from "zod";
import { decryptMessage, type DecryptDeps } from "../domain/decrypt";
import { eraseRecipient, type EraseDeps } from "../domain/erase";
import type { AppEnv } from "../http/env";
import { authResponses, problem, security } from "./openapi";

const decryptRoute = createRoute({
  method: "post",
  path: "/v1/messages/{id}/decrypt",
  summary: "The plaintext of a store_secure message",
  security,
  request: { params: z.object({ id: MessageId }) },
  responses: {
    200: { description: "The decrypted content", content: { "application/json": { schema: DecryptedMessage } } },
    ...authResponses,
    403: problem("Missing role messages:decrypt"),
    404: problem("No such message visible to the caller"),
    409: problem("Not a store_secure message, or not sealed yet (retry)"),
    410: problem("The content was erased"),
    422: problem("The stored ciphertext does not decrypt (altered, or moved from another message)"),
  },
});

const erasureResponses = {
  200: {
    description: "Erased: no content, metadata, address or history of the recipient's messages is left; an audit entry records who, when and how many, under the recipient's HMAC",
    content: { "application/json": { schema: Erasure } },
  },
  400: problem("Not an email address or a phone number with its country code; `errors` names the field"),
  ...authResponses,
  403: problem("Missing role messages:erase"),
  503: problem("The audit key (HERALD_AUDIT_HMAC_KEY) cannot be read: nothing was erased; retry"),
};

const eraseRoute = createRoute({
  method: "post",
  path: "/v1/recipients/erase",
  summary: "Erase one recipient: every stored content of its messages (plain and encrypted), its address on them and its history",
  description:
    "The recipient is in the body, so no URL (and no access log) carries it. Safe to repeat: a repeat erases what was sent since, and `first_erased_at` confirms the recipient was erased.",
  security,
  request: { body: { required: true, content: { "application/json": { schema: EraseRecipientRequest } } } },
  responses: { ...erasureResponses, 413: problem("Body too large"), 415: problem("Not application/json") },
});

/*
 * DESIGN.md's route, kept working for its callers but deprecated: its path carries the address,
 * which ends up in every log of a URL on the way (clients, proxies). Not a 308 to the POST route:
 * a 308 keeps the method, so a client would DELETE /v1/recipients/erase, without the address.
 * It answers as before, with RFC 9745's Deprecation header and a Link to its successor.
 */
const DEPRECATED_SINCE = "@1796083200"; // 2026-12-01T00:00:00Z
const deprecatedEraseRoute = createRoute({
  method: "delete",
  path: "/v1/recipients/{recipient}",
  summary: "Deprecated: POST /v1/recipients/erase (the address in the path ends up in URL logs)",
  deprecated: true,
  security,
  request: { params: z.object({ recipient: z.string().min(1).max(254) }) },
  responses: erasureResponses,
});

export type SecureRouteDeps = DecryptDeps & EraseDeps;

export function registerSecureRoutes(app: OpenAPIHono<AppEnv>, deps: SecureRouteDeps): void {
  app.openapi(decryptRoute, async (c) => c.json(await decryptMessage(c.req.valid("param").id, c.get("identity"), deps), 200));
  app.openapi(eraseRoute, async (c) => c.json(await eraseRecipient(c.req.valid("json").recipient, c.get("identity"), deps), 200));
  app.openapi(deprecatedEraseRoute, async (c) => {
    const erasure = await eraseRecipient(c.req.valid("param").recipient, c.get("identity"), deps);
    c.header("deprecation", DEPRECATED_SINCE);
    c.header("link", '</v1/recipients/erase>; rel="successor-version"');
    return c.json(erasure, 200);
  });
}
