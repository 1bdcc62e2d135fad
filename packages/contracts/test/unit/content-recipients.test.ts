import { describe, expect, it } from "vitest";
import { withoutRecipients, type MessageContent } from "../../src";
import { contentRules } from "../../src/send";

const email: MessageContent = {
  channel: "email",
  from: "noreply@example.com",
  to: ["Alice@Example.com", "bob@example.com"],
  cc: ["carol@example.com"],
  bcc: ["dave@example.com"],
  subject: "Hi",
  text: "hello",
};

describe("withoutRecipients", () => {
  it("takes suppressed addresses out of to, cc and bcc by their canonical form, and drops a list left empty", () => {
    // Act
    const left = withoutRecipients(email, new Set(["alice@example.com", "carol@example.com"]));

    // Assess
    expect(left).toEqual({ channel: "email", from: "noreply@example.com", to: ["bob@example.com"], bcc: ["dave@example.com"], subject: "Hi", text: "hello" });
  });

  it("leaves nothing when every recipient is suppressed", () => {
    // Act
    const left = withoutRecipients(email, new Set(["alice@example.com", "bob@example.com", "carol@example.com", "dave@example.com"]));

    // Assess
    expect(left).toBeUndefined();
  });

  it("keeps an SMS whose number is not suppressed and drops one whose number is", () => {
    // Prepare
    const sms: MessageContent = { channel: "sms", to: "+447700900123", text: "hello" };

    // Act
    const kept = withoutRecipients(sms, new Set(["+447700900999"]));
    const dropped = withoutRecipients(sms, new Set(["+447700900123"]));

    // Assess
    expect(kept).toEqual(sms);
    expect(dropped).toBeUndefined();
  });

  it("is what the channel rules of @herald/contracts/send answer", () => {
    // Act
    const drop = new Set(["bob@example.com"]);

    // Assess
    expect(contentRules("email").without(email, drop)).toEqual(withoutRecipients(email, drop));
  });
});
