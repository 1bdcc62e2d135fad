import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { hasRole, requireRole } from "@herald/auth";
import { DecryptedMessage, MessageId, Roles } from "@herald/contracts";
import { openContent, type EnvelopeCipher } from "@herald/crypto";
import type { MessageStore } from "@herald/messages";
import { AppError, NotFoundError, maskPrincipal, type Clock, type Logger } from "@herald/platform";
import { z } from "zod";
import { canonicalRecipient } from "../domain/recipient";
import { contentFields } from "../domain/views";
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

export type SecureRouteDeps = { store: MessageStore; cipher: EnvelopeCipher; clock: Clock; logger: Logger };

export function registerSecureRoutes(app: OpenAPIHono<AppEnv>, deps: SecureRouteDeps): void {
  app.openapi(decryptRoute, async (c) => {
    const identity = c.get("identity");
    requireRole(identity, Roles.decrypt);
    const record = await deps.store.get(c.req.valid("param").id);
    // Own messages, or the tenant's with read-all; anything else does not exist for the caller.
    const visible =
      record !== undefined &&
      record.tenant === identity.tenant &&
      (record.principal === identity.principal || hasRole(identity, Roles.readAll));
    if (!record || !visible) throw new NotFoundError("Message");
    if (record.erased_at !== undefined) throw new AppError("message.erased", "The content was erased", { status: 410 });
    if (!record.store_secure) {
      throw new AppError("message.not_secure", "Not a store_secure message: GET /v1/messages/{id} shows its content", { status: 409 });
    }
    if (!record.sealed) {
      throw new AppError("message.not_sealed_yet", "The content is not stored yet; retry shortly", {
        status: 409,
        headers: { "retry-after": "1" },
      });
    }
    const content = await openContent(deps.cipher, record, record.sealed);
    deps.logger.info("message decrypted", { messageId: record.id, principal: maskPrincipal(identity.principal) });
    return c.json({ id: record.id, channel: content.channel, ...contentFields(content) }, 200);
  });

  app.openapi(eraseRoute, async (c) => {
    const identity = c.get("identity");
    requireRole(identity, Roles.erase);
    const recipient = canonicalRecipient(c.req.valid("param").recipient);
    const at = deps.clock.now();
    const erased = await deps.store.eraseRecipient({ tenant: identity.tenant, recipient, principal: identity.principal, at });
    deps.logger.info("recipient erased", { messages: erased, principal: maskPrincipal(identity.principal) });
    return c.json({ erased, at: at.toISOString() }, 200);
  });
}
