import { describe, expect, it } from "vitest";
import { PermanentError, TransientError } from "@herald/platform";
import { classifyTwilioError } from "../../src/adapters/twilio-sms-sender";

type Case = { status: number; code: number | undefined; expected: string; permanent: boolean };

const cases: Case[] = [
  // invalid, unreachable or unwilling recipients: the same answer every time
  { status: 400, code: 21211, expected: "sms.invalid_number", permanent: true },
  { status: 400, code: 21217, expected: "sms.invalid_number", permanent: true },
  { status: 400, code: 21214, expected: "sms.unreachable", permanent: true },
  { status: 400, code: 21612, expected: "sms.unreachable", permanent: true },
  { status: 400, code: 21614, expected: "sms.not_mobile", permanent: true },
  { status: 400, code: 21610, expected: "sms.unsubscribed", permanent: true },
  { status: 400, code: 21408, expected: "sms.region_not_enabled", permanent: true },
  { status: 400, code: 21617, expected: "sms.body_too_long", permanent: true },
  { status: 400, code: 30003, expected: "sms.unreachable", permanent: true },
  { status: 400, code: 30007, expected: "sms.blocked", permanent: true },
  { status: 400, code: 21620, expected: "sms.rejected", permanent: true },
  { status: 422, code: undefined, expected: "sms.rejected", permanent: true },
  // throttling and Twilio's own failures
  { status: 429, code: 20429, expected: "sms.throttled", permanent: false },
  { status: 429, code: undefined, expected: "sms.throttled", permanent: false },
  { status: 400, code: 21611, expected: "sms.throttled", permanent: false },
  { status: 500, code: 20500, expected: "sms.provider_unavailable", permanent: false },
  { status: 503, code: undefined, expected: "sms.provider_unavailable", permanent: false },
  // configuration: dead-letter and redrive after the fix, never fail the message for good
  { status: 401, code: 20003, expected: "sms.provider_auth", permanent: false },
  { status: 403, code: undefined, expected: "sms.provider_auth", permanent: false },
  { status: 400, code: 20003, expected: "sms.provider_auth", permanent: false },
  { status: 404, code: 20404, expected: "sms.provider_config", permanent: false },
  { status: 404, code: undefined, expected: "sms.provider_config", permanent: false },
  { status: 400, code: 21212, expected: "sms.provider_config", permanent: false },
  { status: 400, code: 21606, expected: "sms.provider_config", permanent: false },
  { status: 400, code: 21660, expected: "sms.provider_config", permanent: false },
  // neither an error nor a success: look at it in the dead-letter queue
  { status: 302, code: undefined, expected: "sms.provider_error", permanent: false },
];

describe("classifyTwilioError", () => {
  for (const c of cases) {
    it(`maps HTTP ${c.status}${c.code === undefined ? "" : ` with code ${c.code}`} to a ${c.permanent ? "permanent" : "transient"} ${c.expected}`, () => {
      // Act
      const mapped = classifyTwilioError(c.status, c.code);

      // Assess
      expect(mapped).toBeInstanceOf(c.permanent ? PermanentError : TransientError);
      expect(mapped.code).toBe(c.expected);
      expect(mapped.retryable).toBe(!c.permanent);
      expect(mapped.message).toContain(c.code === undefined ? `HTTP ${c.status}` : `(${c.code})`);
    });
  }
});
