import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { MAX_BODY_BYTES } from "@herald/contracts";
import type { Authenticator } from "@herald/auth";
import type { AppEnv } from "./env";
import { problemResponse } from "./problem";

export function authenticate(authenticator: Authenticator): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set("identity", await authenticator(c.req.raw.headers));
    await next();
  };
}

/** Bodies are JSON, and no larger than MAX_BODY_BYTES (checked while streaming, not after). */
export function jsonBody(): MiddlewareHandler<AppEnv> {
  const limit = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: (c) =>
      problemResponse(c, 413, "request.too_large", `The body is larger than ${MAX_BODY_BYTES} bytes`, [
        { path: "body", message: `must be at most ${MAX_BODY_BYTES} bytes` },
      ]),
  });
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
    return limit(c, next);
  };
}
