import { canonicalEmail, EmailAddress } from "@herald/contracts";
import { canonicalPhone } from "@herald/contracts/send";
import { ValidationError } from "@herald/platform";

/** An address or E.164 number as a caller writes it → the key of its history. */
export function canonicalRecipient(value: string, path = "recipient"): string {
  const trimmed = value.trim();
  if (trimmed.includes("@")) {
    if (EmailAddress.safeParse(trimmed).success) return canonicalEmail(trimmed);
  } else {
    const phone = canonicalPhone(trimmed);
    if (phone) return phone;
  }
  throw new ValidationError("Invalid recipient", [{ path, message: "must be an email address or an E.164 phone number" }]);
}
