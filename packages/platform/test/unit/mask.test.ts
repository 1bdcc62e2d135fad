import { describe, expect, it } from "vitest";
import { maskEmail, maskPhone, maskPrincipal, maskRecipient } from "../../src/index";

describe("maskEmail", () => {
  it("keeps the first character and the domain and hides the rest of the local part", () => {
    // Prepare
    const address = "alice@example.com";

    // Act
    const masked = maskEmail(address);

    // Assess
    expect(masked).toBe("a***@example.com");
  });

  it.each(["alice@example.com", "a@example.com", "bob.smith+tag@mail.example.org", "x@y.z", '"odd@local"@example.com'])(
    "never contains the full address or its local part (%s)",
    (address) => {
      // Prepare
      const local = address.slice(0, address.lastIndexOf("@"));

      // Act
      const masked = maskEmail(address);

      // Assess
      expect(masked).not.toContain(address);
      if (local.length > 1) expect(masked).not.toContain(local);
      expect(masked).toContain("***");
    },
  );

  it.each(["not-an-address", "@example.com", ""])("returns only stars when there is no local part (%j)", (value) => {
    // Prepare
    const input = value;

    // Act
    const masked = maskEmail(input);

    // Assess
    expect(masked).toBe("***");
  });
});

describe("maskPhone", () => {
  it("keeps the country prefix and the last two digits", () => {
    // Prepare
    const number = "+447700900123";

    // Act
    const masked = maskPhone(number);

    // Assess
    expect(masked).toBe("+44********23");
    expect(masked).toHaveLength(number.length);
  });

  it.each(["+447700900123", "+15005550006", "+123456"])("never contains the full number (%s)", (number) => {
    // Prepare
    const middle = number.slice(3, -2);

    // Act
    const masked = maskPhone(number);

    // Assess
    expect(masked).not.toContain(number);
    expect(masked).not.toContain(middle);
  });

  it.each(["+1234", "123", ""])("returns only stars for a number too short to mask partly (%j)", (number) => {
    // Prepare
    const input = number;

    // Act
    const masked = maskPhone(input);

    // Assess
    expect(masked).toBe("***");
  });
});

describe("maskRecipient", () => {
  it("masks an email address as an email address", () => {
    // Prepare
    const recipient = "carol@example.com";

    // Act
    const masked = maskRecipient(recipient);

    // Assess
    expect(masked).toBe("c***@example.com");
  });

  it("masks a phone number as a phone number", () => {
    // Prepare
    const recipient = "+15005550006";

    // Act
    const masked = maskRecipient(recipient);

    // Assess
    expect(masked).toBe("+15*******06");
  });
});

describe("maskPrincipal", () => {
  it.each([
    ["an email address used as a token subject", "alice@example.com", "a***@example.com"],
    ["an API key principal", "key:0123456789ab", "key:0123456789ab"],
    ["an opaque subject", "248289761001", "248289761001"],
  ])("logs %s safely", (_, principal, expected) => {
    // Act / Assess
    expect(maskPrincipal(principal)).toBe(expected);
  });
});
