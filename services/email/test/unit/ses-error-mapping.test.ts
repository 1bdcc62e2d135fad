import {
  AccountSuspendedException,
  BadRequestException,
  LimitExceededException,
  MailFromDomainNotVerifiedException,
  MessageRejected,
  NotFoundException,
  SendingPausedException,
  TooManyRequestsException,
} from "@aws-sdk/client-sesv2";
import { describe, expect, it } from "vitest";
import { anSdkError } from "@herald/delivery/testing";
import { PermanentError, TransientError } from "@herald/platform";
import { classifySesError } from "../../src/adapters/ses-email-sender";

// SES's own message texts name addresses: none of them may reach a reason.
const ADDRESS = "secret.person@example.com";
const clientMeta = { $metadata: { httpStatusCode: 400 } };

type Case = { name: string; error: Error; code: string; permanent: boolean };

const cases: Case[] = [
  {
    name: "MessageRejected for an unverified sender (moto's wording)",
    error: new MessageRejected({ message: `Email address not verified ${ADDRESS}`, ...clientMeta }),
    code: "email.sender_not_verified",
    permanent: true,
  },
  {
    name: "MessageRejected for an unverified sender (SES's wording)",
    error: new MessageRejected({ message: `Email address is not verified. The following identities failed the check: ${ADDRESS}`, ...clientMeta }),
    code: "email.sender_not_verified",
    permanent: true,
  },
  {
    name: "any other MessageRejected",
    error: new MessageRejected({ message: `Illegal address ${ADDRESS}`, ...clientMeta }),
    code: "email.rejected",
    permanent: true,
  },
  {
    name: "MailFromDomainNotVerifiedException",
    error: new MailFromDomainNotVerifiedException({ message: `MAIL FROM of ${ADDRESS} not verified`, ...clientMeta }),
    code: "email.mail_from_not_verified",
    permanent: true,
  },
  {
    name: "AccountSuspendedException",
    error: new AccountSuspendedException({ message: `account of ${ADDRESS} suspended`, ...clientMeta }),
    code: "email.account_suspended",
    permanent: true,
  },
  {
    name: "BadRequestException",
    error: new BadRequestException({ message: `Invalid address ${ADDRESS}`, ...clientMeta }),
    code: "email.bad_request",
    permanent: true,
  },
  {
    name: "NotFoundException",
    error: new NotFoundException({ message: `identity ${ADDRESS} does not exist`, $metadata: { httpStatusCode: 404 } }),
    code: "email.configuration_not_found",
    permanent: true,
  },
  {
    name: "TooManyRequestsException",
    error: new TooManyRequestsException({ message: `Too many requests for ${ADDRESS}`, $metadata: { httpStatusCode: 429 } }),
    code: "email.throttled",
    permanent: false,
  },
  {
    name: "LimitExceededException",
    error: new LimitExceededException({ message: `Daily quota exceeded sending to ${ADDRESS}`, ...clientMeta }),
    code: "email.throttled",
    permanent: false,
  },
  {
    name: "ThrottlingException",
    error: anSdkError({ name: "ThrottlingException", message: `Rate exceeded for ${ADDRESS}`, $fault: "client", $metadata: { httpStatusCode: 400 } }),
    code: "email.throttled",
    permanent: false,
  },
  {
    name: "SendingPausedException",
    error: new SendingPausedException({ message: `Sending paused; ${ADDRESS} not sent`, ...clientMeta }),
    code: "email.sending_paused",
    permanent: false,
  },
  {
    name: "a 500 server fault",
    error: anSdkError({ name: "InternalFailure", message: `failed for ${ADDRESS}`, $fault: "server", $metadata: { httpStatusCode: 500 } }),
    code: "email.provider_unavailable",
    permanent: false,
  },
  {
    name: "a 503 without $fault",
    error: anSdkError({ name: "ServiceUnavailable", message: `unavailable for ${ADDRESS}`, $metadata: { httpStatusCode: 503 } }),
    code: "email.provider_unavailable",
    permanent: false,
  },
  {
    name: "a network error without $metadata",
    error: anSdkError({ name: "Error", message: "connect ECONNREFUSED 10.0.0.1:443" }),
    code: "email.network",
    permanent: false,
  },
  {
    // The SDK's retry middleware adds $metadata (attempts, delay) to errors that never got an answer.
    name: "a network error as the SDK throws it after its retries",
    error: anSdkError({ name: "Error", message: "connect ECONNREFUSED 10.0.0.1:443", $metadata: { attempts: 3, totalRetryDelay: 120 } }),
    code: "email.network",
    permanent: false,
  },
  {
    name: "a request timeout",
    error: anSdkError({ name: "TimeoutError", message: "Connection timed out after 10000 ms", $metadata: { attempts: 3, totalRetryDelay: 120 } }),
    code: "email.network",
    permanent: false,
  },
  {
    name: "an unknown client error",
    error: anSdkError({ name: "WeirdException", message: `odd: ${ADDRESS}`, $fault: "client", $metadata: { httpStatusCode: 400 } }),
    code: "email.provider_error",
    permanent: false,
  },
];

describe("classifySesError", () => {
  for (const c of cases) {
    it(`maps ${c.name} to a ${c.permanent ? "permanent" : "transient"} ${c.code}`, () => {
      // Act
      const mapped = classifySesError(c.error);

      // Assess
      expect(mapped).toBeInstanceOf(c.permanent ? PermanentError : TransientError);
      expect(mapped.code).toBe(c.code);
      expect(mapped.retryable).toBe(!c.permanent);
      expect(mapped.cause).toBe(c.error);
    });

    it(`leaves the SDK's message text out of the reason for ${c.name}`, () => {
      // Act
      const mapped = classifySesError(c.error);

      // Assess
      expect(mapped.message).not.toContain(c.error.message);
      expect(mapped.message).not.toContain(ADDRESS);
      expect(mapped.message).not.toContain("ECONNREFUSED");
      expect(mapped.message.length).toBeGreaterThan(0);
    });
  }

  it("passes an AppError the sender raised itself through unchanged", () => {
    // Prepare
    const own = new TransientError("email.no_message_id", "SES answered without a message id");

    // Act
    const mapped = classifySesError(own);

    // Assess
    expect(mapped).toBe(own);
  });

  it("maps a thrown non-Error value to a transient error", () => {
    // Act
    const mapped = classifySesError(`refused ${ADDRESS}`);

    // Assess
    expect(mapped).toBeInstanceOf(TransientError);
    expect(mapped.message).not.toContain(ADDRESS);
  });
});
