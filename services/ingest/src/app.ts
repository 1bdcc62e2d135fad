import { OpenAPIHono } from "@hono/zod-openapi";
import type { TokenBucketLimiter } from "@herald/auth";
import type { EnvelopeCipher } from "@herald/crypto";
import type { MessageStore, SuppressionList } from "@herald/messages";
import type { MessageQueue } from "@herald/queue";
import type { Clock, Logger } from "@herald/platform";
import type { SmsPolicy } from "./domain/sms-policy";
import type { AppEnv } from "./http/env";
import type { IdempotencyStore } from "./ports/idempotency-store";
import type { RecipientHmac } from "./ports/recipient-hmac";
import type { IdentitySource } from "./http/identity";
import { corsFor, identify, jsonBody, throttle } from "./http/middleware";
import { createErrorHandler, fieldErrors, problemResponse } from "./http/problem";
import { registerHealthRoutes } from "./routes/health";
import { registerLegacyRoutes } from "./routes/legacy";
import { registerMessageRoutes } from "./routes/messages";
import { registerSecureRoutes } from "./routes/secure";
import { registerSuppressionRoutes } from "./routes/suppressions";
import { registerTwilioRoutes, type TwilioRouteDeps } from "./routes/twilio";
import { registerWebhookRoutes } from "./routes/webhooks";
import type { WebhookSettings } from "./domain/webhooks";

export type AppDeps = {
  store: MessageStore;
  queue: MessageQueue;
  /** Who is calling: the request's credential locally, the authorizer's context on AWS. */
  identify: IdentitySource;
  /** Per-principal rate limit; none when undefined. */
  throttle?: TokenBucketLimiter;
  /** Browser origins allowed to call the API (CORS); none when empty. */
  corsOrigins?: readonly string[];
  cipher: EnvelopeCipher;
  idempotency: IdempotencyStore;
  /** The erasure audit's keyed digest of a recipient (HERALD_AUDIT_HMAC_KEY). */
  recipientHmac: RecipientHmac;
  /** How long a request holds its Idempotency-Key in progress (default IDEMPOTENCY_LEASE_SECONDS). */
  idempotencyLeaseSeconds?: number;
  clock: Clock;
  newId: () => string;
  logger: Logger;
  senders: { default: string; allowed: readonly string[] };
  /** Where SMS may go and the tenants' daily SMS quota (domain/sms-policy.ts); none when undefined. */
  sms?: SmsPolicy;
  /** The tenants' suppression lists (GET/POST/DELETE /v1/suppressions, checked on every send); none when undefined. */
  suppressions?: SuppressionList;
  /** Twilio's signed status callbacks (POST /v1/providers/twilio/status); the route is absent when undefined. */
  twilio?: TwilioRouteDeps["twilio"];
  /** The tenants' webhook endpoints and delivery logs (/v1/webhooks); the routes are absent when undefined. */
  webhooks?: WebhookSettings;
};

/** The ingest API: one Hono app, served by the Lambda handler and by the local Node server. */
export function createApp(deps: AppDeps) {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (!result.success) {
        return problemResponse(c, 400, "request.invalid", "The request has invalid fields", fieldErrors(result.error));
      }
      return undefined;
    },
  });

  app.onError(createErrorHandler(deps.logger));
  app.notFound((c) => problemResponse(c, 404, "route.not_found", `No route for ${c.req.method} ${c.req.path}`));

  app.use("*", async (c, next) => {
    const started = performance.now();
    await next();
    deps.logger.info("request", {
      ...c.get("logFields"),
      method: c.req.method,
      route: c.req.routePath,
      status: c.res.status,
      ms: Math.round(performance.now() - started),
    });
  });
  if (deps.corsOrigins && deps.corsOrigins.length > 0) app.use("*", corsFor(deps.corsOrigins));
  // Before the JSON and identity middleware: a form, authenticated by its signature alone.
  registerTwilioRoutes(app, deps);
  app.use("/v1/*", jsonBody());
  for (const path of ["/v1/*", "/msg"]) {
    app.use(path, identify(deps.identify));
    if (deps.throttle) app.use(path, throttle(deps.throttle));
  }

  registerHealthRoutes(app);
  registerMessageRoutes(app, deps);
  registerSecureRoutes(app, deps);
  registerLegacyRoutes(app, deps);
  registerSuppressionRoutes(app, deps);
  registerWebhookRoutes(app, deps);

  app.openAPIRegistry.registerComponent("securitySchemes", "ApiKey", { type: "apiKey", in: "header", name: "x-api-key" });
  app.openAPIRegistry.registerComponent("securitySchemes", "Bearer", { type: "http", scheme: "bearer" });
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: { title: "Herald", version: "1.0.0", description: "Queue-driven messaging for AWS" },
  });
  return app;
}

export type App = ReturnType<typeof createApp>;
