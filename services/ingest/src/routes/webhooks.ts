import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { CreateWebhookRequest, ListSuppressionsQuery, UpdateWebhookRequest, Webhook, WebhookDelivery, WebhookDeliveryPage, WebhookPage, WebhookWithSecret } from "@herald/contracts";
import * as z from "zod";
import {
  createWebhook,
  deleteWebhook,
  getWebhook,
  listWebhookDeliveries,
  listWebhooks,
  retryWebhookDelivery,
  rotateWebhookSecret,
  updateWebhook,
  type WebhookDeps,
} from "../domain/webhooks";
import type { AppEnv } from "../http/env";
import { authResponses, problem, security } from "./openapi";

/*
 * Ids are plain strings here and checked by the domain: a malformed one names no endpoint, so it
 * is a 404 like an unknown one, not a 400 that would tell the two apart.
 */
const WebhookParams = z.object({ id: z.string().meta({ example: "wh_3f9c2a1b7d4e5f60718293a4" }) });
const DeliveryParams = WebhookParams.extend({ delivery: z.string().meta({ example: "del_0mi8h3k2q5e1c4b7a9d0f2e6b8c1" }) });
const PageQuery = z.strictObject({ limit: ListSuppressionsQuery.shape.limit, cursor: ListSuppressionsQuery.shape.cursor });

const forbidden = problem("Missing role webhooks:manage");
const notFound = problem("No such webhook (or delivery) in the caller's tenant");
const json = <T extends z.ZodType>(schema: T) => ({ content: { "application/json": { schema } } });
const bodyOf = <T extends z.ZodType>(schema: T) => ({ body: { required: true, ...json(schema) } });
const bodyProblems = { 400: problem("Invalid fields or a refused URL; `errors` names the field"), 413: problem("Body too large"), 415: problem("Not application/json") };

const createRouteDef = createRoute({
  method: "post",
  path: "/v1/webhooks",
  summary: "Register an endpoint for status events (Standard Webhooks); the answer holds its signing secret, shown once",
  security,
  request: bodyOf(CreateWebhookRequest),
  responses: {
    201: { description: "Registered, enabled; keep the secret: it is never shown again", ...json(WebhookWithSecret) },
    ...bodyProblems,
    ...authResponses,
    403: forbidden,
  },
});

const listRouteDef = createRoute({
  method: "get",
  path: "/v1/webhooks",
  summary: "The tenant's webhook endpoints, in id order",
  security,
  request: { query: PageQuery },
  responses: { 200: { description: "One page", ...json(WebhookPage) }, 400: problem("Invalid limit or cursor"), ...authResponses, 403: forbidden },
});

const getRouteDef = createRoute({
  method: "get",
  path: "/v1/webhooks/{id}",
  summary: "One endpoint (never its secret)",
  security,
  request: { params: WebhookParams },
  responses: { 200: { description: "The endpoint", ...json(Webhook) }, ...authResponses, 403: forbidden, 404: notFound },
});

const updateRouteDef = createRoute({
  method: "patch",
  path: "/v1/webhooks/{id}",
  summary: "Change an endpoint; `enabled: true` re-enables one that was disabled (by hand, or after failing for days)",
  security,
  request: { params: WebhookParams, ...bodyOf(UpdateWebhookRequest) },
  responses: { 200: { description: "The endpoint as changed", ...json(Webhook) }, ...bodyProblems, ...authResponses, 403: forbidden, 404: notFound },
});

const deleteRouteDef = createRoute({
  method: "delete",
  path: "/v1/webhooks/{id}",
  summary: "Remove an endpoint: nothing more is posted to it",
  security,
  request: { params: WebhookParams },
  responses: { 204: { description: "Removed" }, ...authResponses, 403: forbidden, 404: notFound },
});

const rotateRouteDef = createRoute({
  method: "post",
  path: "/v1/webhooks/{id}/rotate-secret",
  summary: "A new signing secret, shown once; the previous one keeps signing beside it for 24 hours (previous_secret_expires_at)",
  security,
  request: { params: WebhookParams },
  responses: { 200: { description: "The endpoint with its new secret", ...json(WebhookWithSecret) }, ...authResponses, 403: forbidden, 404: notFound },
});

const deliveriesRouteDef = createRoute({
  method: "get",
  path: "/v1/webhooks/{id}/deliveries",
  summary: "The endpoint's deliveries and their attempts, newest first (kept 30 days)",
  security,
  request: { params: WebhookParams, query: PageQuery },
  responses: {
    200: { description: "One page", ...json(WebhookDeliveryPage) },
    400: problem("Invalid limit or cursor"),
    ...authResponses,
    403: forbidden,
    404: notFound,
  },
});

const retryRouteDef = createRoute({
  method: "post",
  path: "/v1/webhooks/{id}/deliveries/{delivery}/retry",
  summary: "Post a delivery's event again (the same webhook-id), even one that had failed or was dead-lettered",
  security,
  request: { params: DeliveryParams },
  responses: {
    202: { description: "Queued: the delivery is pending again", ...json(WebhookDelivery) },
    ...authResponses,
    403: forbidden,
    404: notFound,
    409: problem("The endpoint is disabled: PATCH it with enabled true first"),
    503: problem("Webhooks are not configured here, or the retry could not be queued (retry)"),
  },
});

export function registerWebhookRoutes(app: OpenAPIHono<AppEnv>, deps: WebhookDeps): void {
  if (!deps.webhooks) return;
  app.openapi(createRouteDef, async (c) => c.json(await createWebhook(c.req.valid("json"), c.get("identity"), deps), 201));
  app.openapi(listRouteDef, async (c) => c.json(await listWebhooks(c.req.valid("query"), c.get("identity"), deps), 200));
  app.openapi(getRouteDef, async (c) => c.json(await getWebhook(c.req.valid("param").id, c.get("identity"), deps), 200));
  app.openapi(updateRouteDef, async (c) => c.json(await updateWebhook(c.req.valid("param").id, c.req.valid("json"), c.get("identity"), deps), 200));
  app.openapi(deleteRouteDef, async (c) => {
    await deleteWebhook(c.req.valid("param").id, c.get("identity"), deps);
    return c.body(null, 204);
  });
  app.openapi(rotateRouteDef, async (c) => c.json(await rotateWebhookSecret(c.req.valid("param").id, c.get("identity"), deps), 200));
  app.openapi(deliveriesRouteDef, async (c) =>
    c.json(await listWebhookDeliveries(c.req.valid("param").id, c.req.valid("query"), c.get("identity"), deps), 200),
  );
  app.openapi(retryRouteDef, async (c) => {
    const { id, delivery } = c.req.valid("param");
    return c.json(await retryWebhookDelivery(id, delivery, c.get("identity"), deps), 202);
  });
}
