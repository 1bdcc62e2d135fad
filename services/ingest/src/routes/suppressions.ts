import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { AddSuppressionRequest, ListSuppressionsQuery, Suppression, SuppressionPage } from "@herald/contracts";
import * as z from "zod";
import { addSuppression, getSuppression, listSuppressions, removeSuppression, type SuppressionDeps } from "../domain/suppressions";
import type { AppEnv } from "../http/env";
import { authResponses, problem, security } from "./openapi";

const Address = z.object({ address: z.string().min(1).max(254) });
const forbidden = problem("Missing role messages:suppressions");

const listRoute = createRoute({
  method: "get",
  path: "/v1/suppressions",
  summary: "The tenant's suppressed addresses and numbers, in address order",
  security,
  request: { query: ListSuppressionsQuery },
  responses: {
    200: { description: "One page", content: { "application/json": { schema: SuppressionPage } } },
    400: problem("Invalid limit or cursor"),
    ...authResponses,
    403: forbidden,
  },
});

const getRoute = createRoute({
  method: "get",
  path: "/v1/suppressions/{address}",
  summary: "Whether an address (or number) is suppressed, why and since when",
  security,
  request: { params: Address },
  responses: {
    200: { description: "Suppressed", content: { "application/json": { schema: Suppression } } },
    400: problem("Not an email address or an E.164 number"),
    ...authResponses,
    403: forbidden,
    404: problem("Not suppressed"),
  },
});

const deleteRoute = createRoute({
  method: "delete",
  path: "/v1/suppressions/{address}",
  summary: "Take an address off the suppression list: it is sent to again",
  security,
  request: { params: Address },
  responses: { 204: { description: "Removed" }, 400: problem("Not an email address or an E.164 number"), ...authResponses, 403: forbidden, 404: problem("Not suppressed") },
});

const addRoute = createRoute({
  method: "post",
  path: "/v1/suppressions",
  summary: "Suppress an address (or number) by hand",
  security,
  request: { body: { required: true, content: { "application/json": { schema: AddSuppressionRequest } } } },
  responses: {
    201: { description: "Added", content: { "application/json": { schema: Suppression } } },
    200: { description: "Already suppressed: its first cause", content: { "application/json": { schema: Suppression } } },
    400: problem("Not an email address or an E.164 number"),
    ...authResponses,
    403: forbidden,
  },
});

export function registerSuppressionRoutes(app: OpenAPIHono<AppEnv>, deps: SuppressionDeps): void {
  if (!deps.suppressions) return;
  app.openapi(listRoute, async (c) => c.json(await listSuppressions(c.req.valid("query"), c.get("identity"), deps), 200));
  app.openapi(getRoute, async (c) => c.json(await getSuppression(c.req.valid("param").address, c.get("identity"), deps), 200));
  app.openapi(deleteRoute, async (c) => {
    await removeSuppression(c.req.valid("param").address, c.get("identity"), deps);
    return c.body(null, 204);
  });
  app.openapi(addRoute, async (c) => {
    const { suppression, created } = await addSuppression(c.req.valid("json"), c.get("identity"), deps);
    return created ? c.json(suppression, 201) : c.json(suppression, 200);
  });
}
