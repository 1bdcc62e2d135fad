import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import {
  Accepted,
  BatchRequest,
  BatchResponse,
  ListMessagesQuery,
  MessageId,
  MessagePage,
  MessageView,
  Roles,
} from "@herald/contracts";
import { SendMessage } from "@herald/contracts/send";
import { canRead, readScope, requireRole } from "@herald/auth";
import { InvalidCursorError, type MessageStore } from "@herald/messages";
import { NotFoundError, ValidationError } from "@herald/platform";
import * as z from "zod";
import { acceptBatch } from "../domain/accept-batch";
import { acceptOnce, type IdempotentDeps, type QueuedFields } from "../domain/accept-message";
import { canonicalRecipient } from "../domain/recipient";
import { toMessageSummary, toMessageView } from "../domain/views";
import type { AppEnv } from "../http/env";
import { authResponses, problem, security } from "./openapi";


const sendRoute = createRoute({
  method: "post",
  path: "/v1/messages",
  summary: "Send one message",
  security,
  request: {
    headers: z.object({
      "idempotency-key": z.string().optional().meta({
        description:
          "Same key and body from the same principal within 24 h: the first response again, nothing sent twice. Another body: 409. " +
          "While the first request holds the key (a lease, 60 s by default): 409 with Retry-After; after the lease a retry takes the key over and answers with the first request's message.",
      }),
    }),
    body: { required: true, content: { "application/json": { schema: SendMessage } } },
  },
  responses: {
    202: { description: "Recorded and queued (or, with a repeated Idempotency-Key, the first response: `idempotent-replayed: true`)", content: { "application/json": { schema: Accepted } } },
    400: problem("Invalid body; `errors` names each field"),
    ...authResponses,
    403: problem("Missing role messages:send"),
    409: problem("Idempotency-Key reused with another body, or its first request still holds it"),
    413: problem("Body too large"),
    415: problem("Not application/json"),
    422: problem("Valid, but cannot be sent as asked"),
    503: problem("Could not be queued; nothing was sent"),
  },
});

const batchRoute = createRoute({
  method: "post",
  path: "/v1/messages/batch",
  summary: "Send up to 100 messages; each item is accepted or refused on its own",
  security,
  request: { body: { required: true, content: { "application/json": { schema: BatchRequest } } } },
  responses: {
    200: { description: "Per-item results, in order", content: { "application/json": { schema: BatchResponse } } },
    400: problem("Not a batch (items missing, empty or over 100)"),
    ...authResponses,
    403: problem("Missing role messages:send"),
    413: problem("Body too large"),
    415: problem("Not application/json"),
  },
});

const getRoute = createRoute({
  method: "get",
  path: "/v1/messages/{id}",
  summary: "One message: status history, provider id, content unless store_secure",
  security,
  request: { params: z.object({ id: MessageId }) },
  responses: {
    200: { description: "The message", content: { "application/json": { schema: MessageView } } },
    400: problem("Invalid id"),
    ...authResponses,
    403: problem("Missing role messages:read or messages:read-all"),
    404: problem("No such message visible to the caller"),
  },
});

const listRoute = createRoute({
  method: "get",
  path: "/v1/messages",
  summary: "Messages sent to one recipient, newest first",
  security,
  request: { query: ListMessagesQuery },
  responses: {
    200: { description: "A page; follow next_cursor for more", content: { "application/json": { schema: MessagePage } } },
    400: problem("Invalid query"),
    ...authResponses,
    403: problem("Missing role messages:read or messages:read-all"),
  },
});

export type MessageRouteDeps = IdempotentDeps & { store: MessageStore };

export function registerMessageRoutes(app: OpenAPIHono<AppEnv>, deps: MessageRouteDeps): void {
  app.openapi(sendRoute, async (c) => {
    const identity = c.get("identity");
    requireRole(identity, Roles.send);
    const onQueued = (fields: QueuedFields) => c.set("logFields", fields);
    const { accepted, replayed } = await acceptOnce(c.req.valid("json"), identity, c.req.header("idempotency-key"), { ...deps, onQueued });
    return c.json(accepted, 202, {
      location: `/v1/messages/${accepted.id}`,
      ...(replayed && { "idempotent-replayed": "true" }),
    });
  });

  app.openapi(batchRoute, async (c) => {
    const identity = c.get("identity");
    requireRole(identity, Roles.send);
    return c.json({ results: await acceptBatch(c.req.valid("json"), identity, deps) }, 200);
  });

  app.openapi(getRoute, async (c) => {
    const identity = c.get("identity");
    readScope(identity);
    const record = await deps.store.get(c.req.valid("param").id);
    // Another tenant's (or principal's) message is indistinguishable from a missing one.
    if (!record || !canRead(identity, record)) throw new NotFoundError("Message");
    return c.json(toMessageView(record), 200);
  });

  app.openapi(listRoute, async (c) => {
    const identity = c.get("identity");
    const scope = readScope(identity);
    const query = c.req.valid("query");
    const recipient = canonicalRecipient(query.recipient);
    try {
      const page = await deps.store.listByRecipient({
        tenant: identity.tenant,
        recipient,
        limit: query.limit,
        ...(query.cursor !== undefined && { cursor: query.cursor }),
        ...scope,
      });
      return c.json({ items: page.items.map(toMessageSummary), next_cursor: page.nextCursor }, 200);
    } catch (error) {
      if (error instanceof InvalidCursorError) {
        throw new ValidationError("Invalid cursor", [{ path: "cursor", message: "is not a cursor this API issued" }]);
      }
      throw error;
    }
  });
}
