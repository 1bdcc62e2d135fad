/** "alice@example.com" → "a***@example.com": enough to correlate, not enough to harvest. */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf("@");
  if (at <= 0) return "***";
  return `${address[0]}***${address.slice(at)}`;
}

/** "+447700900123" → "+44*******23". */
export function maskPhone(number: string): string {
  if (number.length <= 5) return "***";
  return `${number.slice(0, 3)}${"*".repeat(number.length - 5)}${number.slice(-2)}`;
}

export function maskRecipient(recipient: string): string {
  return recipient.includes("@") ? maskEmail(recipient) : maskPhone(recipient);
}

/**
 * A principal for logs: API key principals and opaque subjects as they are, but one that is an
 * email address (some identity providers use it as `sub` or `username`) masked like any address.
 */
export function maskPrincipal(principal: string): string {
  return principal.includes("@") ? maskEmail(principal) : principal;
}
