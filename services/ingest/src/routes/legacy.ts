import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import * as z from "zod";
import { MAX_BODY_BYTES, Roles, type MessageRecord } from "@herald/contracts";
import { LegacyMsgList, LegacyMsgParams, LegacyMsgQuery, legacySentBody } from "@herald/contracts/send";
import { readScope, requireRole } from "@herald/auth";
import type { MessageStore } from "@herald/messages";
import { AppError, fieldErrors, ValidationError } from "@herald/platform";
import { acceptOnce, type QueuedFields } from "../domain/accept-message";
import { fromLegacy, toLegacyList } from "../domain/legacy";
import { canonicalRecipient } from "../domain/recipient";
import type { AppEnv } from "../http/env";
import type { MessageRouteDeps } from "./messages";
import { authResponses, problem, security } from "./openapi";

/** GET /msg answers at most this many messages, the newest ones (it pages the store internally). */
export const LEGACY_LIST_MAX = 1000;
const PAGE = 100;

const TAG = "Legacy /msg (the serverless message API's routes, unchanged)";
const LegacyQueryDoc = z.object({
  msg_id: z.string().optional().meta({ description: "The recipient's email address." }),
  msg: z.string().optional().meta({ description: "POST: the text." }),
  subject: z.string().optional().meta({ description: "POST: the subject." }),
  store_secure: z.string().optional().meta({ description: 'POST: "True" to seal the message.' }),
});

/**
 * POST /msg and GET /msg as the first field report's clients call them (X-Api-Key, parameters in
 * the query, or in a JSON or form body), on Herald's own pipeline: the same validation,
 * idempotency, record, queue and consumer as POST /v1/messages, the same roles and data security.
 */
export function registerLegacyRoutes(app: OpenAPIHono<AppEnv>, deps: MessageRouteDeps): void {
  app.post("/msg", legacyBodyLimit(), async (c) => {
    const identity = c.get("identity");
    requireRole(identity, Roles.send);
    const { params, message } = fromLegacy({ query: c.req.queries(), body: await legacyBody(c) });
    const onQueued = (fields: QueuedFields) => c.set("logFields", fields);
    const { accepted, replayed } = await acceptOnce(message, identity, c.req.header("idempotency-key"), { ...deps, onQueued });
    // 201 as the old API answered; like v1's 202 it means recorded and queued, not yet delivered.
    return c.json(legacySentBody(params.msg_id), 201, {
      location: `/v1/messages/${accepted.id}`,
      ...(replayed && { "idempotent-replayed": "true" }),
    });
  });

  app.get("/msg", async (c) => {
    const identity = c.get("identity");
    const scope = readScope(identity);
    const parsed = LegacyMsgQuery.safeParse({ msg_id: c.req.query("msg_id") });
    if (!parsed.success) throw new ValidationError("The request has invalid parameters", fieldErrors(parsed.error));
    const msgId = parsed.data.msg_id.trim();
    const recipient = canonicalRecipient(msgId, "msg_id");
    const { records, capped } = await newestMessages(deps.store, { tenant: identity.tenant, recipient, ...scope });
    return c.json(toLegacyList(records, msgId), 200, capped ? { "herald-truncated": `newest ${LEGACY_LIST_MAX} only` } : {});
  });

  app.openAPIRegistry.registerPath({
    method: "post",
    path: "/msg",
    tags: [TAG],
    summary: "Send an email the old API's way (legacy)",
    description:
      "The parameters come in the query (as the old API's clients send them), or in a JSON or form body. " +
      '`store_secure` is true only for the string "True". Same pipeline, roles and Idempotency-Key as POST /v1/messages; ' +
      "201 means recorded and queued, as 202 does there. The body is a JSON string.",
    security,
    request: {
      query: LegacyQueryDoc,
      body: {
        required: false,
        content: {
          "application/json": { schema: LegacyMsgParams },
          "application/x-www-form-urlencoded": { schema: LegacyMsgParams },
        },
      },
    },
    responses: {
      201: {
        description: "Recorded and queued: `\"Msg sent and stored succesfully for <msg_id>\"`",
        content: { "application/json": { schema: z.string() } },
      },
      400: problem("A missing or invalid parameter; `errors` names it"),
      ...authResponses,
      403: problem("Missing role messages:send"),
      409: problem("Idempotency-Key reused with other parameters, or its first request still holds it"),
      413: problem("Body too large"),
      415: problem("A body that is neither JSON nor a form"),
      503: problem("Could not be queued; nothing was sent"),
    },
  });
  app.openAPIRegistry.registerPath({
    method: "get",
    path: "/msg",
    tags: [TAG],
    summary: "Messages sent to one address, the old API's way (legacy)",
    description: `Oldest first, at most the newest ${LEGACY_LIST_MAX} (then a herald-truncated header). store_secure messages show "(encrypted)", erased ones "(erased)". The caller's read roles apply as on GET /v1/messages.`,
    security,
    request: { query: z.object({ msg_id: z.string().meta({ description: "The recipient's email address." }) }) },
    responses: {
      200: { description: "The DynamoDB Query shape", content: { "application/json": { schema: LegacyMsgList } } },
      400: problem("msg_id missing or not an address"),
      ...authResponses,
      403: problem("Missing role messages:read or messages:read-all"),
    },
  });
}

/** The newest messages to one recipient, a page at a time, up to LEGACY_LIST_MAX. */
async function newestMessages(
  store: MessageStore,
  query: { tenant: string; recipient: string; principal?: string },
): Promise<{ records: MessageRecord[]; capped: boolean }> {
  const records: MessageRecord[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await store.listByRecipient({ ...query, limit: Math.min(PAGE, LEGACY_LIST_MAX - records.length), ...(cursor && { cursor }) });
    records.push(...page.items);
    if (page.nextCursor === null) return { records, capped: false };
    if (records.length >= LEGACY_LIST_MAX) return { records, capped: true };
    cursor = page.nextCursor;
  }
}

function legacyBodyLimit() {
  return bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () => {
      throw new AppError("request.too_large", `The body is larger than ${MAX_BODY_BYTES} bytes`, {
        status: 413,
        errors: [{ path: "body", message: `must be at most ${MAX_BODY_BYTES} bytes` }],
      });
    },
  });
}

/** No body (the old clients), a JSON object, or a form; anything else is a 415. */
async function legacyBody(c: Context<AppEnv>): Promise<Record<string, unknown> | undefined> {
  const text = await c.req.text();
  if (text.length === 0) return undefined;
  const type = (c.req.header("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (type === "application/json") {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new ValidationError("The body is not valid JSON", [{ path: "body", message: "is not valid JSON" }], "request.malformed_json");
    }
    if (!value || typeof value !== "object" || Array.isArray(value)) {
      throw new ValidationError("The body must be a JSON object", [{ path: "body", message: "must be a JSON object" }]);
    }
    return value as Record<string, unknown>;
  }
  if (type === "application/x-www-form-urlencoded") {
    const form = new URLSearchParams(text);
    const body: Record<string, unknown> = {};
    for (const name of new Set(form.keys())) {
      const values = form.getAll(name);
      if (new Set(values).size > 1) {
        throw new ValidationError("The request has invalid parameters", [{ path: name, message: "is given more than once, with different values" }]);
      }
      body[name] = values[0];
    }
    return body;
  }
  throw new AppError("request.unsupported_media_type", "Send the parameters in the query, as JSON or as a form", {
    status: 415,
    errors: [{ path: "content-type", message: "must be application/json or application/x-www-form-urlencoded" }],
  });
}
