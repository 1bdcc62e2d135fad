import {
  AuthorizationErrorException,
  InternalErrorException,
  InvalidParameterException,
  InvalidParameterValueException,
  KMSThrottlingException,
  OptedOutException,
  ThrottledException,
  ValidationException,
} from "@aws-sdk/client-sns";
import { describe, expect, it } from "vitest";
import { anSdkError } from "@herald/delivery/testing";
import { PermanentError, TransientError } from "@herald/platform";
import { classifySnsError } from "../../src/adapters/sns-sms-sender";

// SNS's own message texts can quote the number: none of them may reach a reason.
const NUMBER = "+447700900123";
const clientMeta = { $metadata: { httpStatusCode: 400 } };

type Case = { name: string; error: Error; code: string; permanent: boolean };

const cases: Case[] = [
  {
    name: "InvalidParameterException (moto's wording)",
    error: new InvalidParameterException({ message: "Phone number does not meet the E164 format", ...clientMeta }),
    code: "sms.rejected",
    permanent: true,
  },
  {
    name: "InvalidParameterValueException",
    error: new InvalidParameterValueException({ message: `Invalid parameter: PhoneNumber Reason: ${NUMBER} is not valid`, ...clientMeta }),
    code: "sms.rejected",
    permanent: true,
  },
  {
    name: "ValidationException",
    error: new ValidationException({ message: `1 validation error for ${NUMBER}`, Message: `1 validation error for ${NUMBER}`, ...clientMeta }),
    code: "sms.rejected",
    permanent: true,
  },
  {
    name: "OptedOutException",
    error: new OptedOutException({ message: `${NUMBER} has opted out`, ...clientMeta }),
    code: "sms.unsubscribed",
    permanent: true,
  },
  {
    name: "ThrottledException",
    error: new ThrottledException({ message: `Rate exceeded for ${NUMBER}`, $metadata: { httpStatusCode: 429 } }),
    code: "sms.throttled",
    permanent: false,
  },
  {
    name: "Throttling (the query protocol's code)",
    error: anSdkError({ name: "Throttling", message: "Rate exceeded", $fault: "client", $metadata: { httpStatusCode: 400 } }),
    code: "sms.throttled",
    permanent: false,
  },
  {
    name: "KMSThrottlingException",
    error: new KMSThrottlingException({ message: "KMS throttled", ...clientMeta }),
    code: "sms.throttled",
    permanent: false,
  },
  {
    name: "AuthorizationErrorException",
    error: new AuthorizationErrorException({ message: `not authorized to publish to ${NUMBER}`, $metadata: { httpStatusCode: 403 } }),
    code: "sms.provider_auth",
    permanent: false,
  },
  {
    name: "InternalErrorException",
    error: new InternalErrorException({ message: `failed for ${NUMBER}`, $metadata: { httpStatusCode: 500 } }),
    code: "sms.provider_unavailable",
    permanent: false,
  },
  {
    name: "a 503 without $fault",
    error: anSdkError({ name: "ServiceUnavailable", message: "unavailable", $metadata: { httpStatusCode: 503 } }),
    code: "sms.provider_unavailable",
    permanent: false,
  },
  {
    name: "a network error as the SDK throws it after its retries",
    error: anSdkError({ name: "Error", message: "connect ECONNREFUSED 10.0.0.1:443", $metadata: { attempts: 3, totalRetryDelay: 120 } }),
    code: "sms.network",
    permanent: false,
  },
  {
    name: "a request timeout",
    error: anSdkError({ name: "TimeoutError", message: "Connection timed out after 10000 ms" }),
    code: "sms.network",
    permanent: false,
  },
  {
    name: "an unknown client error",
    error: anSdkError({ name: "WeirdException", message: `odd: ${NUMBER}`, $fault: "client", $metadata: { httpStatusCode: 400 } }),
    code: "sms.provider_error",
    permanent: false,
  },
];

describe("classifySnsError", () => {
  for (const c of cases) {
    it(`maps ${c.name} to a ${c.permanent ? "permanent" : "transient"} ${c.code}, keeping SNS's text out of the reason`, () => {
      // Act
      const mapped = classifySnsError(c.error);

      // Assess
      expect(mapped).toBeInstanceOf(c.permanent ? PermanentError : TransientError);
      expect(mapped.code).toBe(c.code);
      expect(mapped.retryable).toBe(!c.permanent);
      expect(mapped.cause).toBe(c.error);
      expect(mapped.message).not.toContain(c.error.message);
      expect(mapped.message).not.toContain(NUMBER);
    });
  }

  it("passes an AppError the sender raised itself through unchanged", () => {
    // Prepare
    const own = new TransientError("sms.no_message_id", "SNS answered without a message id");

    // Act
    const mapped = classifySnsError(own);

    // Assess
    expect(mapped).toBe(own);
  });

  it("maps a thrown non-Error value to a transient error without its text", () => {
    // Act
    const mapped = classifySnsError(`refused ${NUMBER}`);

    // Assess
    expect(mapped).toBeInstanceOf(TransientError);
    expect(mapped.message).not.toContain(NUMBER);
  });
});
