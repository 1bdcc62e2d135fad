import { describe, expect, it } from "vitest";
import { AppError, PermanentError, TransientError } from "@herald/platform";
import { classifyProviderFailure, sdkErrorClassifier, type ProviderErrors, type ProviderFailure } from "../../src";
import { anSdkError } from "../../src/testing";

/** A provider whose table knows one name, "Refused" (permanent), and that says SlowDown to throttle. */
const ACME: ProviderErrors<ProviderFailure> = {
  channel: "fax",
  provider: "Acme",
  throttled: ({ label }) => label === "SlowDown",
  known: ({ label }, cause) => (label === "Refused" ? new PermanentError("fax.refused", "Acme refused the fax", cause) : undefined),
};

describe("classifyProviderFailure", () => {
  it("makes a throttled failure a transient <channel>.throttled, whatever its status", () => {
    // Prepare
    const cause = new Error("slow down");

    // Act
    const mapped = classifyProviderFailure(ACME, { label: "SlowDown", status: 503 }, cause);

    // Assess
    expect(mapped).toBeInstanceOf(TransientError);
    expect(mapped).toMatchObject({ code: "fax.throttled", message: "Acme throttled the send (SlowDown)", cause });
  });

  it("answers with the provider's own table where it knows the failure", () => {
    // Act
    const mapped = classifyProviderFailure(ACME, { label: "Refused", status: 500, fault: "server" });

    // Assess
    expect(mapped).toBeInstanceOf(PermanentError);
    expect(mapped.code).toBe("fax.refused");
  });

  const tail: [what: string, failure: ProviderFailure, code: string, message: string][] = [
    ["a server fault", { label: "InternalFailure", status: 400, fault: "server" }, "fax.provider_unavailable", "Acme failed (InternalFailure)"],
    ["a 503 without a fault", { label: "HTTP 503", status: 503 }, "fax.provider_unavailable", "Acme failed (HTTP 503)"],
    ["no answer at all", { label: "ECONNREFUSED" }, "fax.network", "Could not reach Acme (ECONNREFUSED)"],
    ["an unknown client fault", { label: "WeirdException", status: 400, fault: "client" }, "fax.provider_error", "Acme refused the send (WeirdException)"],
    ["an unknown answer without a fault", { label: "HTTP 302", status: 302 }, "fax.provider_error", "Acme refused the send (HTTP 302)"],
  ];
  for (const [what, failure, code, message] of tail) {
    it(`makes ${what} that the table does not know a transient ${code}`, () => {
      // Prepare
      const cause = new Error("the provider's own text");

      // Act
      const mapped = classifyProviderFailure(ACME, failure, cause);

      // Assess
      expect(mapped).toBeInstanceOf(TransientError);
      expect(mapped).toMatchObject({ code, message, retryable: true });
      expect(mapped.cause).toBe(cause);
    });
  }
});

describe("sdkErrorClassifier", () => {
  const classify = sdkErrorClassifier({ ...ACME, known: ({ label, message }) => (label === "Refused" && /for good/.test(message) ? new PermanentError("fax.refused", "refused") : undefined) });

  it("passes an AppError the sender raised itself through unchanged", () => {
    // Prepare
    const own = new AppError("fax.no_id", "Acme answered without an id", { retryable: true });

    // Act & Assess
    expect(classify(own)).toBe(own);
  });

  it("reads an SDK error's name, message, $fault and HTTP status", () => {
    // Prepare
    const refused = anSdkError({ name: "Refused", message: "no, for good", $fault: "client", $metadata: { httpStatusCode: 400 } });
    const unavailable = anSdkError({ name: "ServiceUnavailable", message: "down", $metadata: { httpStatusCode: 503 } });

    // Act & Assess
    expect(classify(refused).code).toBe("fax.refused");
    expect(classify(unavailable)).toMatchObject({ code: "fax.provider_unavailable", message: "Acme failed (ServiceUnavailable)" });
  });

  it("takes an error with only the retry middleware's $metadata for no answer", () => {
    // Prepare
    const error = anSdkError({ name: "TimeoutError", message: "timed out", $metadata: { attempts: 3, totalRetryDelay: 120 } });

    // Act & Assess
    expect(classify(error)).toMatchObject({ code: "fax.network", message: "Could not reach Acme (TimeoutError)" });
  });

  it("labels a thrown value that is not an Error as Error, without its text", () => {
    // Act
    const mapped = classify("refused +447700900123");

    // Assess
    expect(mapped).toMatchObject({ code: "fax.network", message: "Could not reach Acme (Error)" });
  });
});
