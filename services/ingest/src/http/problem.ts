import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Problem } from "@herald/contracts";
import { AppError, type FieldError, type Logger } from "@herald/platform";

export { fieldErrors } from "@herald/platform";

const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

export function problemResponse(
  c: Context,
  status: number,
  code: string,
  detail: string,
  errors?: FieldError[],
  headers?: Record<string, string>,
): Response {
  const body: Problem = {
    type: `/problems/${code}`,
    title: TITLES[status] ?? "Error",
    status,
    detail,
    code,
    ...(errors && errors.length > 0 && { errors }),
  };
  return c.body(JSON.stringify(body), status as ContentfulStatusCode, {
    "content-type": "application/problem+json",
    ...headers,
  });
}

/** The one error mapper: AppError by its status and code, Hono's own errors, anything else 500. */
export function createErrorHandler(logger: Logger) {
  return (error: Error, c: Context): Response => {
    if (error instanceof AppError) {
      if (error.status >= 500) logger.error("request failed", { code: error.code, error: error.name });
      return problemResponse(c, error.status, error.code, error.message, error.errors, error.headers);
    }
    if (error instanceof HTTPException) {
      // Hono's validator raises this for a body that is not JSON.
      if (error.status === 400 && /json/i.test(error.message)) {
        return problemResponse(c, 400, "request.malformed_json", "The body is not valid JSON", [
          { path: "body", message: "is not valid JSON" },
        ]);
      }
      return problemResponse(c, error.status, "request.rejected", error.message || TITLES[error.status] || "Error");
    }
    logger.error("unhandled error", { error: error.name, message: error.message });
    return problemResponse(c, 500, "internal", "Something went wrong on our side");
  };
}
