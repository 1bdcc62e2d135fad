import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { MAX_BODY_BYTES } from "@herald/contracts";
import type { TokenBucketLimiter } from "@herald/auth";
import type { AppEnv } from "./env";
import { throttleKey, type IdentitySource } from "./identity";
import { problemResponse } from "./problem";

export function identify(source: IdentitySource): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set("identity", await source({ headers: c.req.raw.headers, env: c.env }));
    await next();
  };
}

/** Per-principal throttling (per tenant and principal): 429 with Retry-After once its bucket is empty. */
export function throttle(limiter: TokenBucketLimiter): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const decision = limiter.take(throttleKey(c.get("identity")));
    if (!decision.allowed) {
      const seconds = String(decision.retryAfterSeconds);
      return problemResponse(c, 429, "request.throttled", `Too many requests from this principal; retry in ${seconds} s`, undefined, {
        "retry-after": seconds,
      });
    }
    return next();
  };
}

/**
 * CORS for the configured origins only. A preflight from any other origin is refused (403), and
 * its other requests get no CORS headers, so browsers block them. A preflight from an allowed
 * origin is answered here, before authentication (browsers send it without credentials).
 */
export function corsFor(origins: readonly string[]): MiddlewareHandler<AppEnv> {
  const allowed = new Set(origins);
  const handler = cors({
    origin: (origin) => (allowed.has(origin) ? origin : null),
    allowMethods: ["GET", "POST", "PATCH", "DELETE", "OPTIONS"],
    allowHeaders: ["content-type", "authorization", "x-api-key", "idempotency-key"],
    exposeHeaders: ["retry-after", "idempotent-replayed", "location"],
    maxAge: 3600,
  });
  return async (c, next) => {
    const origin = c.req.header("origin");
    if (c.req.method === "OPTIONS" && origin !== undefined && c.req.header("access-control-request-method") !== undefined) {
      if (!allowed.has(origin)) return problemResponse(c, 403, "cors.origin_not_allowed", "This origin may not call the API");
    }
    return handler(c, next);
  };
}

/** Bodies are JSON, and no larger than MAX_BODY_BYTES (checked while streaming, not after). */
export function jsonBody(): MiddlewareHandler<AppEnv> {
  const tooLarge = (c: Context<AppEnv>) =>
    problemResponse(c, 413, "request.too_large", `The body is larger than ${MAX_BODY_BYTES} bytes`, [
      { path: "body", message: `must be at most ${MAX_BODY_BYTES} bytes` },
    ]);
  const limit = bodyLimit({ maxSize: MAX_BODY_BYTES, onError: tooLarge });
  return async (c, next) => {
    if (c.req.method !== "POST" && c.req.method !== "PUT" && c.req.method !== "PATCH") return next();
    const type = c.req.header("content-type") ?? "";
    // A POST without a body (decrypt) needs no content type; a route that wants a body says so.
    const length = c.req.header("content-length");
    const hasBody = (length !== undefined && length !== "0") || c.req.header("transfer-encoding") !== undefined;
    if (!hasBody && type === "") return next();
    if (!/^application\/json\s*(;\s*charset\s*=\s*"?utf-8"?\s*)?$/i.test(type.trim())) {
      return problemResponse(c, 415, "request.unsupported_media_type", "Send the body as application/json (UTF-8)", [
        { path: "content-type", message: "must be application/json" },
      ]);
    }
    // A declared length is what hono's bodyLimit checks too, and all it checks (the server reads
    // no more than it), but bodyLimit first reads `c.req.raw.body`, and on @hono/node-server that
    // builds a whole fetch Request (web stream, AbortController) that c.req.json() never needs:
    // ~17% of a small POST's CPU. So the header is checked here, without touching the body;
    // only a chunked body, of no declared length, goes through bodyLimit's counting stream.
    if (length !== undefined && c.req.header("transfer-encoding") === undefined) {
      return Number.parseInt(length, 10) > MAX_BODY_BYTES ? tooLarge(c) : next();
    }
    return limit(c, next);
  };
}
