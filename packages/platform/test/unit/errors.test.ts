import { describe, expect, it } from "vitest";
import {
  AppError,
  ForbiddenError,
  isRetryable,
  NotFoundError,
  PermanentError,
  TransientError,
  UnauthorizedError,
  UnavailableError,
  ValidationError,
} from "../../src/index";

describe("AppError", () => {
  it("defaults to status 500, not retryable, with its code and cause", () => {
    // Prepare
    const cause = new Error("socket hang up");

    // Act
    const error = new AppError("email.unexpected", "Something went wrong", { cause });

    // Assess
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: "AppError", code: "email.unexpected", status: 500, retryable: false });
    expect(error.message).toBe("Something went wrong");
    expect(error.cause).toBe(cause);
    expect(error.errors).toBeUndefined();
    expect(error.headers).toBeUndefined();
  });

  it("takes status, retryable, field errors and headers from its options", () => {
    // Prepare
    const options = { status: 429, retryable: true, errors: [{ path: "to", message: "bad" }], headers: { "retry-after": "5" } };

    // Act
    const error = new AppError("request.throttled", "Slow down", options);

    // Assess
    expect(error).toMatchObject(options);
  });
});

describe("AppError subclasses", () => {
  const cause = new Error("underlying");

  it.each([
    ["ValidationError", new ValidationError("Invalid body", [{ path: "to", message: "bad" }]), "request.invalid", 400, false],
    ["UnauthorizedError", new UnauthorizedError(), "auth.unauthorized", 401, false],
    ["ForbiddenError", new ForbiddenError("messages:read"), "auth.forbidden", 403, false],
    ["NotFoundError", new NotFoundError("Message"), "resource.not_found", 404, false],
    ["UnavailableError", new UnavailableError("queue.unavailable", "Queue unavailable", cause), "queue.unavailable", 503, true],
    ["PermanentError", new PermanentError("email.rejected", "Rejected", cause), "email.rejected", 422, false],
    ["TransientError", new TransientError("email.throttled", "Throttled", cause), "email.throttled", 503, true],
  ] as const)("%s carries its name, code, status and retryable", (name, error, code, status, retryable) => {
    // Prepare
    const expected = { name, code, status, retryable };

    // Act
    const actual = { name: error.name, code: error.code, status: error.status, retryable: error.retryable };

    // Assess
    expect(error).toBeInstanceOf(AppError);
    expect(error).toBeInstanceOf(Error);
    expect(actual).toEqual(expected);
  });

  it("ValidationError carries its field errors and accepts another code", () => {
    // Prepare
    const errors = [{ path: "subject", message: "must not contain CR, LF or other control characters" }];

    // Act
    const error = new ValidationError("Invalid body", errors, "request.too_large");

    // Assess
    expect(error.errors).toEqual(errors);
    expect(error.code).toBe("request.too_large");
  });

  it("UnauthorizedError asks for a bearer credential", () => {
    // Prepare
    const message = "Missing credentials";

    // Act
    const error = new UnauthorizedError(message);

    // Assess
    expect(error.message).toBe(message);
    expect(error.headers).toEqual({ "www-authenticate": 'Bearer realm="herald"' });
  });

  it("ForbiddenError names the missing role", () => {
    // Prepare
    const role = "messages:decrypt";

    // Act
    const error = new ForbiddenError(role);

    // Assess
    expect(error.message).toContain(role);
  });

  it("UnavailableError and TransientError keep their cause; UnavailableError asks to retry after a second", () => {
    // Prepare
    const underlying = new Error("503 from SQS");

    // Act
    const unavailable = new UnavailableError("queue.unavailable", "Queue unavailable", underlying);
    const transient = new TransientError("email.throttled", "Throttled", underlying);

    // Assess
    expect(unavailable.cause).toBe(underlying);
    expect(transient.cause).toBe(underlying);
    expect(unavailable.headers).toEqual({ "retry-after": "1" });
  });
});

describe("isRetryable", () => {
  it.each([
    ["a TransientError", new TransientError("email.throttled", "Throttled"), true],
    ["a PermanentError", new PermanentError("email.rejected", "Rejected"), false],
    ["a plain AppError", new AppError("x.y", "z"), false],
    ["an unknown error", new TypeError("fetch failed"), true],
    ["a thrown string", "boom", true],
  ])("answers for %s", (_, error, expected) => {
    // Prepare
    const thrown: unknown = error;

    // Act
    const retryable = isRetryable(thrown);

    // Assess
    expect(retryable).toBe(expected);
  });
});
