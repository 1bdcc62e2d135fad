import {
  AccountSuspendedException,
  BadRequestException,
  LimitExceededException,
  MailFromDomainNotVerifiedException,
  MessageRejected,
  SendingPausedException,
  TooManyRequestsException,
} from "@aws-sdk/client-sesv2";
import { describe, expect, it } from "vitest";
import { classifySesError } from "../../src/adapters/ses-email-sender";

const meta = { $metadata: { httpStatusCode: 400 } };
const ADDRESS = "secret.person@example.com";

describe("classifySesError", () => {
  const cases: { name: string; error: unknown; code: string; retryable: boolean }[] = [
    { name: "an unverified sender", error: new MessageRejected({ message: `Email address is not verified. ${ADDRESS}`, ...meta }), code: "email.sender_not_verified", retryable: false },
    { name: "another rejection", error: new MessageRejected({ message: `Illegal address ${ADDRESS}`, ...meta }), code: "email.rejected", retryable: false },
    { name: "an unverified MAIL FROM domain", error: new MailFromDomainNotVerifiedException({ message: "x", ...meta }), code: "email.mail_from_not_verified", retryable: false },
    { name: "a suspended account", error: new AccountSuspendedException({ message: "x", ...meta }), code: "email.account_suspended", retryable: false },
    { name: "a bad request", error: new BadRequestException({ message: `bad ${ADDRESS}`, ...meta }), code: "email.bad_request", retryable: false },
    { name: "throttling", error: new TooManyRequestsException({ message: "slow down", $metadata: { httpStatusCode: 429 } }), code: "email.throttled", retryable: true },
    { name: "a quota limit", error: new LimitExceededException({ message: "x", ...meta }), code: "email.throttled", retryable: true },
    { name: "paused sending", error: new SendingPausedException({ message: "x", ...meta }), code: "email.sending_paused", retryable: true },
    { name: "a 5xx", error: Object.assign(new Error("boom"), { name: "InternalFailure", $fault: "server", $metadata: { httpStatusCode: 500 } }), code: "email.provider_unavailable", retryable: true },
    { name: "a network error", error: Object.assign(new Error("connect ECONNREFUSED"), { name: "Error" }), code: "email.network", retryable: true },
    { name: "an unknown client error", error: Object.assign(new Error("?"), { name: "Weird", $fault: "client", $metadata: { httpStatusCode: 400 } }), code: "email.provider_error", retryable: true },
  ];

  for (const c of cases) {
    it(`maps ${c.name} to ${c.code} (${c.retryable ? "transient" : "permanent"})`, () => {
      // Act
      const mapped = classifySesError(c.error);

      // Assess
      expect(mapped.code).toBe(c.code);
      expect(mapped.retryable).toBe(c.retryable);
      expect(mapped.message).not.toContain(ADDRESS);
    });
  }
});
