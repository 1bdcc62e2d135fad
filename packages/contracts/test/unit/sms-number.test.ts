import { describe, expect, it } from "vitest";
import { PhoneNumber, SendMessage, phoneCountry } from "../../src/send";

const sms = (to: string) => ({ channel: "sms", to, text: "Your code is 123456" });

/** The issues of an SMS that must be refused, as `path: message`. */
function refused(to: string): string[] {
  const result = SendMessage.safeParse(sms(to));
  expect(result.success).toBe(false);
  return (result.error?.issues ?? []).map((issue) => `${issue.path.join(".")}: ${issue.message}`);
}

describe("SendSms to", () => {
  it.each([
    ["US premium-rate (+1 900)", "+19005551234", "premium-rate"],
    ["UK premium-rate (+44 909)", "+449090000000", "premium-rate"],
    ["UK premium-rate (+44 871)", "+448712345678", "premium-rate"],
    ["French premium-rate (+33 89)", "+33891234567", "premium-rate"],
    ["international premium-rate (+979)", "+979123456789", "premium-rate"],
    ["French shared-cost (+33 81)", "+33810123456", "shared-cost"],
    ["Spanish shared-cost (+34 901)", "+34901123456", "shared-cost"],
    ["Australian shared-cost (+61 1300)", "+611300123456", "shared-cost"],
    ["UK UAN (+44 55)", "+445512345678", "UAN"],
    ["Japanese UAN (+81 570)", "+81570123456", "UAN"],
    ["Pakistani UAN (+92 21 111)", "+9221111122233", "UAN"],
  ])("refuses a %s number on the to path", (_, number, kind) => {
    // Act
    const issues = refused(number);

    // Assess
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(new RegExp(`^to: is .*${kind}`));
  });

  it.each([
    ["international networks (+882)", "+88213000000"],
    ["international networks (+883)", "+883510012345"],
    ["satellite (+881)", "+881612345678"],
    ["Inmarsat (+870)", "+870773112345"],
  ])("refuses a number of no country: %s", (_, number) => {
    // Act
    const issues = refused(number);

    // Assess
    expect(issues).toEqual(["to: is not a number of a country (international network, satellite or premium service): SMS is not sent to it"]);
  });

  it.each([
    ["a UK mobile", "+447911000001"],
    ["a US number", "+14155552671"],
    ["a German mobile", "+4915212345678"],
    ["a US toll-free number", "+18005550199"],
    ["a Dutch VoIP number", "+31850123456"],
  ])("accepts %s", (_, number) => {
    // Act
    const result = SendMessage.safeParse(sms(number));

    // Assess
    expect(result.success).toBe(true);
  });

  it("still reads a premium-rate number as a PhoneNumber (history look-ups keep working)", () => {
    // Act
    const result = PhoneNumber.safeParse("+1 900 555 1234");

    // Assess
    expect(result).toEqual({ success: true, data: "+19005551234" });
  });
});

describe("phoneCountry", () => {
  it.each([
    ["+447911000001", "GB"],
    ["+447911123456", "GG"],
    ["+14155552671", "US"],
    ["+16135550123", "CA"],
    ["+88213000000", undefined],
    ["not a number", undefined],
  ])("gives %s the country %s", (number, country) => {
    // Act
    const result = phoneCountry(number);

    // Assess
    expect(result).toBe(country);
  });
});
