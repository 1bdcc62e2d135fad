import { describe, expect, it } from "vitest";
import { PermanentError, TransientError } from "@herald/platform";
import { classifySmtpError, providerReply, TokenUnavailable } from "../../src/adapters/smtp-errors";

/** An error as nodemailer hands it over: an Error with code, responseCode, response, command. */
const smtpError = (fields: { code?: string; responseCode?: number; response?: string; command?: string; originalCode?: string }, message = "failed") =>
  Object.assign(new Error(message), fields);

describe("classifySmtpError", () => {
  it.each([
    ["a refused login", { code: "EAUTH", responseCode: 535, response: "535 5.7.8 Error: authentication failed", command: "AUTH PLAIN" }, "email.smtp_auth_failed", "(535 5.7.8)"],
    ["a relay that wants AUTH", { code: "EENVELOPE", responseCode: 530, response: "530 5.7.0 Authentication required", command: "MAIL FROM" }, "email.smtp_auth_failed", "(530 5.7.0)"],
    ["STARTTLS not offered", { code: "ETLS", responseCode: 502, response: "502 5.5.2 Error: command not recognized", command: "STARTTLS" }, "email.smtp_starttls_unavailable", "STARTTLS"],
    ["a refused connection", { code: "ESOCKET", originalCode: "ECONNREFUSED", command: "CONN" }, "email.smtp_unreachable", "ECONNREFUSED"],
    ["a timeout", { code: "ETIMEDOUT", command: "CONN" }, "email.smtp_unreachable", "ETIMEDOUT"],
    ["a 4xx deferral", { code: "EMESSAGE", responseCode: 451, response: "451 4.3.0 Try again later", command: "DATA" }, "email.smtp_deferred", "(451 4.3.0)"],
    ["a 421 at any step", { code: "EENVELOPE", responseCode: 421, response: "421 4.7.0 Too many connections", command: "RCPT TO" }, "email.smtp_deferred", "(421 4.7.0)"],
  ])("treats %s as transient", (_what, fields, code, inReason) => {
    // Act
    const error = classifySmtpError(smtpError(fields), 10_000);

    // Assess
    expect(error).toBeInstanceOf(TransientError);
    expect(error.code).toBe(code);
    expect(error.message).toContain(inReason);
  });

  it.each([
    ["every recipient refused", { code: "EENVELOPE", responseCode: 550, response: "550 5.1.1 <bob@example.com>: Recipient address rejected", command: "RCPT TO" }, "email.rejected"],
    ["the sender refused", { code: "EENVELOPE", responseCode: 553, response: "553 5.7.1 Sender address rejected", command: "MAIL FROM" }, "email.sender_refused"],
    ["an unverified sender (SES SMTP)", { code: "EMESSAGE", responseCode: 554, response: "554 Message rejected: Email address is not verified.", command: "DATA" }, "email.sender_not_verified"],
    ["the content refused", { code: "EMESSAGE", responseCode: 554, response: "554 5.7.1 Spam detected", command: "DATA" }, "email.rejected"],
    ["a message too large", { code: "EMESSAGE", responseCode: 552, response: "552 5.3.4 Message size exceeds limit", command: "DATA" }, "email.too_large"],
  ])("treats %s as permanent", (_what, fields, code) => {
    // Act
    const error = classifySmtpError(smtpError(fields), 10_000);

    // Assess
    expect(error).toBeInstanceOf(PermanentError);
    expect(error.code).toBe(code);
  });

  it.each([
    ["self-signed certificate in certificate chain", "ETLS"],
    ["unable to verify the first certificate", "ESOCKET"],
    ["Hostname/IP does not match certificate's altnames", "ETLS"],
  ])("names HERALD_SMTP_CA_FILE for a certificate Node did not trust (%s)", (message, code) => {
    // Act
    const error = classifySmtpError(smtpError({ code, command: "CONN" }, `Error initiating TLS - ${message}`), 10_000);

    // Assess
    expect(error).toMatchObject({ code: "email.smtp_certificate_untrusted", retryable: true });
    expect(error.message).toContain("HERALD_SMTP_CA_FILE");
  });

  it("never copies the relay's text into the reason, only its codes", () => {
    // Act
    const error = classifySmtpError(
      smtpError({ code: "EENVELOPE", responseCode: 550, response: "550 5.1.1 <bob@example.com>: user unknown", command: "RCPT TO" }),
      10_000,
    );

    // Assess
    expect(error.message).toBe("The SMTP relay refused every recipient (550 5.1.1)");
  });

  it("names the send timeout for an aborted send", () => {
    // Act
    const error = classifySmtpError(Object.assign(new Error("aborted"), { name: "AbortError", code: "EABORT" }), 2500);

    // Assess
    expect(error).toMatchObject({ code: "email.smtp_timeout", retryable: true });
    expect(error.message).toContain("2500 ms");
  });

  it("passes on the token endpoint's own error from inside the XOAUTH2 handler", () => {
    // Prepare
    const fromTokenEndpoint = new TransientError("email.smtp_oauth_refused", "The OAuth token endpoint refused Herald's client credentials (invalid_client, HTTP 401)");
    // nodemailer stamps EAUTH on whatever the handler threw
    const wrapped = Object.assign(new TokenUnavailable(fromTokenEndpoint), { code: "EAUTH" });

    // Act
    const error = classifySmtpError(wrapped, 10_000);

    // Assess
    expect(error).toBe(fromTokenEndpoint);
  });
});

describe("providerReply", () => {
  it("keeps the relay's final reply on one line with addresses masked", () => {
    // Act
    const reply = providerReply("250 2.0.0 Ok: queued as 4Xyz for <alice@example.com>\r\n");

    // Assess
    expect(reply).toBe("250 2.0.0 Ok: queued as 4Xyz for <a***@example.com>");
  });

  it("caps a long reply and drops an empty one", () => {
    // Act & Assess
    expect(providerReply(`250 ${"x".repeat(500)}`)).toHaveLength(200);
    expect(providerReply("   ")).toBeUndefined();
    expect(providerReply(undefined)).toBeUndefined();
  });
});
