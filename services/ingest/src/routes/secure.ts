import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { DecryptedMessage, MessageId } from "@herald/contracts";
import { z } from "zod";
import { decryptMessage, type DecryptDeps } from "../domain/decrypt";
import { eraseRecipient, type EraseDeps } from "../domain/erase";
import type { AppEnv } from "../http/env";
import { authResponses, problem, security } from "./openapi";

export const Erasure = z
  .object({ erased: z.number().int().meta({ description: "Messages whose content was erased" }), at: z.iso.datetime() })
  .meta({ id: "Erasure" });

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

const eraseRoute = createRoute({
  method: "delete",
  path: "/v1/recipients/{recipient}",
  summary: "Erase every stored content of one recipient (plain and encrypted)",
  security,
  request: { params: z.object({ recipient: z.string().min(1).max(254) }) },
  responses: {
    200: { description: "Erased; an audit entry records who, when and how many", content: { "application/json": { schema: Erasure } } },
    400: problem("Not an email address or E.164 number"),
    ...authResponses,
    403: problem("Missing role messages:erase"),
  },
});

export type SecureRouteDeps = DecryptDeps & EraseDeps;

export function registerSecureRoutes(app: OpenAPIHono<AppEnv>, deps: SecureRouteDeps): void {
  app.openapi(decryptRoute, async (c) => c.json(await decryptMessage(c.req.valid("param").id, c.get("identity"), deps), 200));
  app.openapi(eraseRoute, async (c) => c.json(await eraseRecipient(c.req.valid("param").recipient, c.get("identity"), deps), 200));
}
