import type * as z from "zod";

export type FieldError = { path: string; message: string };

type AppErrorOptions = {
  status?: number;
  retryable?: boolean;
  cause?: unknown;
  errors?: FieldError[];
  headers?: Record<string, string>;
};

/**
 * The one error type services reason about. `code` is stable and dotted
 * ("email.sender_not_verified"); `message` is for humans and must never hold secrets, bodies or
 * full addresses. HTTP maps `status`; consumers retry when `retryable`.
 */
export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly retryable: boolean;
  readonly errors: FieldError[] | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(code: string, message: string, options: AppErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = "AppError";
    this.code = code;
    this.status = options.status ?? 500;
    this.retryable = options.retryable ?? false;
    this.errors = options.errors;
    this.headers = options.headers;
  }
}

export class ValidationError extends AppError {
  constructor(message: string, errors: FieldError[], code = "request.invalid") {
    super(code, message, { status: 400, errors });
    this.name = "ValidationError";
  }
}

export class UnauthorizedError extends AppError {
  /** `bearerError` is RFC 6750's error code for WWW-Authenticate, e.g. "invalid_token". */
  constructor(message = "Missing or invalid credentials", bearerError?: "invalid_token" | "invalid_request") {
    const challenge = bearerError === undefined ? 'Bearer realm="herald"' : `Bearer realm="herald", error="${bearerError}"`;
    super("auth.unauthorized", message, { status: 401, headers: { "www-authenticate": challenge } });
    this.name = "UnauthorizedError";
  }
}

export class ForbiddenError extends AppError {
  constructor(role: string) {
    super("auth.forbidden", `This operation needs the role ${role}`, { status: 403 });
    this.name = "ForbiddenError";
  }
}

export class NotFoundError extends AppError {
  constructor(what: string) {
    super("resource.not_found", `${what} not found`, { status: 404 });
    this.name = "NotFoundError";
  }
}

export class UnavailableError extends AppError {
  constructor(code: string, message: string, cause?: unknown) {
    super(code, message, { status: 503, retryable: true, cause, headers: { "retry-after": "1" } });
    this.name = "UnavailableError";
  }
}

/** A provider refused for good (bad address, unverified sender): fail now, do not retry. */
export class PermanentError extends AppError {
  constructor(code: string, message: string, cause?: unknown) {
    super(code, message, { status: 422, retryable: false, cause });
    this.name = "PermanentError";
  }
}

/** Throttling, 5xx, timeouts, network: worth another try later. */
export class TransientError extends AppError {
  constructor(code: string, message: string, cause?: unknown) {
    super(code, message, { status: 503, retryable: true, cause });
    this.name = "TransientError";
  }
}

export function isRetryable(error: unknown): boolean {
  return error instanceof AppError ? error.retryable : true;
}

/** zod issues → `[{path, message}]`; an unknown key is reported at its own path. */
export function fieldErrors(error: z.ZodError, prefix?: string): FieldError[] {
  return error.issues.flatMap((issue) => {
    const base = [...(prefix ? [prefix] : []), ...issue.path.map(String)];
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({ path: [...base, key].join("."), message: "is not a known field" }));
    }
    return [{ path: base.join(".") || "body", message: issue.message }];
  });
}
