import { describe, expect, it } from "vitest";
import { MAX_RECIPIENTS } from "../../src/index";
import { SendEmail, SendMessage, recipientsOf, type SendMessageInput } from "../../src/send";

const valid = { channel: "email", to: "alice@example.com", subject: "Your receipt", text: "Thanks for your order." } as const;

function anEmail(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...valid, ...overrides };
}

/** Parses and returns the data, failing the test with zod's message if the body was refused. */
function accept(body: unknown): Extract<SendMessage, { channel: "email" }> {
  const result = SendMessage.safeParse(body);
  if (!result.success) throw new Error(`expected the body to be accepted: ${JSON.stringify(result.error.issues)}`);
  if (result.data.channel !== "email") throw new Error("expected an email");
  return result.data;
}

/** Parses a body that must be refused and returns the dotted paths of its issues. */
function refusedPaths(body: unknown): string[] {
  const result = SendMessage.safeParse(body);
  expect(result.success).toBe(false);
  return (result.error?.issues ?? []).map((issue) => issue.path.map(String).join("."));
}

function addresses(count: number, domain = "example.com"): string[] {
  return Array.from({ length: count }, (_, i) => `user${i}@${domain}`);
}

describe("SendMessage recipients", () => {
  it("splits a comma-separated string into trimmed addresses", () => {
    // Prepare
    const body = anEmail({ to: "alice@example.com, bob@example.com ,carol@example.com" });

    // Act
    const message = accept(body);

    // Assess
    expect(message.to).toEqual(["alice@example.com", "bob@example.com", "carol@example.com"]);
  });

  it("accepts an array of addresses in to, cc and bcc", () => {
    // Prepare
    const body = anEmail({ to: ["alice@example.com"], cc: ["bob@example.com"], bcc: ["carol@example.com"] });

    // Act
    const message = accept(body);

    // Assess
    expect(message).toMatchObject({ to: ["alice@example.com"], cc: ["bob@example.com"], bcc: ["carol@example.com"] });
  });

  it("keeps the first occurrence when an address repeats in another case within to", () => {
    // Prepare
    const body = anEmail({ to: "Alice@Example.com, bob@example.com, alice@example.com" });

    // Act
    const message = accept(body);

    // Assess
    expect(message.to).toEqual(["Alice@Example.com", "bob@example.com"]);
  });

  it("removes from cc and bcc an address already in to, and from bcc one already in cc", () => {
    // Prepare
    const body = anEmail({
      to: ["alice@example.com"],
      cc: "ALICE@example.com, bob@example.com",
      bcc: ["Bob@Example.COM", "carol@example.com", "alice@EXAMPLE.com"],
    });

    // Act
    const message = accept(body);

    // Assess
    expect(message.to).toEqual(["alice@example.com"]);
    expect(message.cc).toEqual(["bob@example.com"]);
    expect(message.bcc).toEqual(["carol@example.com"]);
  });

  it("leaves cc and bcc absent when they were not given", () => {
    // Prepare
    const body = anEmail();

    // Act
    const message = accept(body);

    // Assess
    expect(message).not.toHaveProperty("cc");
    expect(message).not.toHaveProperty("bcc");
  });

  it.each([
    ["a Cyrillic look-alike letter", "\u0430lice@example.com"],
    ["a full-width at sign", "alice\uff20example.com"],
    ["a space in the local part", "ali ce@example.com"],
    ["a domain without a TLD", "alice@example"],
    ["no at sign", "alice.example.com"],
    ["an empty entry in a comma list", "alice@example.com,,bob@example.com"],
  ])("rejects an address with %s", (_, address) => {
    // Prepare
    const body = anEmail({ to: address });

    // Act
    const paths = refusedPaths(body);

    // Assess
    expect(paths.some((p) => p.startsWith("to"))).toBe(true);
  });

  it("rejects an invalid address in cc on the cc path", () => {
    // Prepare
    const body = anEmail({ cc: ["bob@example.com", "not an address"] });

    // Act
    const paths = refusedPaths(body);

    // Assess
    expect(paths).toContain("cc.1");
  });

  it("rejects an empty to", () => {
    // Prepare
    const body = anEmail({ to: [] });

    // Act
    const paths = refusedPaths(body);

    // Assess
    expect(paths).toContain("to");
  });

  it("accepts exactly the maximum number of recipients across to, cc and bcc", () => {
    // Prepare
    const all = addresses(MAX_RECIPIENTS);
    const body = anEmail({ to: all.slice(0, 20), cc: all.slice(20, 40), bcc: all.slice(40) });

    // Act
    const message = accept(body);

    // Assess
    expect(recipientsOf(message)).toHaveLength(MAX_RECIPIENTS);
  });

  it("rejects more than the maximum number of recipients in total on the to path", () => {
    // Prepare
    const all = addresses(MAX_RECIPIENTS + 1);
    const body = anEmail({ to: all.slice(0, 20), cc: all.slice(20, 40), bcc: all.slice(40) });

    // Act
    const paths = refusedPaths(body);

    // Assess
    expect(paths).toEqual(["to"]);
  });

  it("counts recipients after de-duplication, so repeats across to and cc do not count twice", () => {
    // Prepare
    const all = addresses(30);
    const body = anEmail({ to: all, cc: all.map((a) => a.toUpperCase()) });

    // Act
    const message = accept(body);

    // Assess
    expect(recipientsOf(message)).toHaveLength(30);
  });

  it("refuses a reply_to of 3,000 comma-separated addresses", () => {
    // Prepare
    const body = anEmail({ reply_to: addresses(3000).join(",") });

    // Act
    const result = SendMessage.safeParse(body);

    // Assess
    expect(result.success).toBe(false);
    expect(result.error?.issues).toEqual([expect.objectContaining({ path: ["reply_to"], message: `at most ${MAX_RECIPIENTS} addresses` })]);
  });

  it.each(["cc", "bcc"])("refuses more than the maximum number of addresses in one comma-separated %s, once", (field) => {
    // Prepare
    const body = anEmail({ [field]: addresses(MAX_RECIPIENTS + 1, "other.example").join(", ") });

    // Act
    const result = SendMessage.safeParse(body);

    // Assess
    expect(result.error?.issues).toEqual([expect.objectContaining({ path: [field], message: `at most ${MAX_RECIPIENTS} addresses` })]);
  });

  it("counts reply_to in the recipient limit", () => {
    // Prepare
    const all = addresses(MAX_RECIPIENTS + 1);
    const body = anEmail({ to: all.slice(0, 40), reply_to: all.slice(40) });

    // Act
    const paths = refusedPaths(body);

    // Assess
    expect(paths).toEqual(["reply_to"]);
  });

  it("counts a reply_to address that is also a recipient once", () => {
    // Prepare
    const all = addresses(MAX_RECIPIENTS);
    const body = anEmail({ to: all, reply_to: [all[0]?.toUpperCase() ?? ""] });

    // Act
    const message = accept(body);

    // Assess
    expect(message.reply_to).toEqual([all[0]?.toUpperCase()]);
  });

  it("accepts the maximum across to, cc, bcc and reply_to together", () => {
    // Prepare
    const all = addresses(MAX_RECIPIENTS);
    const body = anEmail({ to: all.slice(0, 30), cc: all.slice(30, 40), bcc: all.slice(40, 45), reply_to: all.slice(45).join(",") });

    // Act
    const message = accept(body);

    // Assess
    expect(message.reply_to).toHaveLength(5);
  });

  it("rejects more than the maximum number of recipients in one comma-separated string", () => {
    // Prepare
    const body = anEmail({ to: addresses(MAX_RECIPIENTS + 1).join(",") });

    // Act
    const paths = refusedPaths(body);

    // Assess
    expect(paths).toContain("to");
  });
});

describe("SendMessage fields", () => {
  it("rejects an unknown field", () => {
    // Prepare
    const body = anEmail({ priority: "high" });

    // Act
    const result = SendMessage.safeParse(body);

    // Assess
    expect(result.success).toBe(false);
    expect(result.error?.issues).toEqual([expect.objectContaining({ code: "unrecognized_keys", keys: ["priority"] })]);
  });

  it("rejects an unknown channel", () => {
    // Prepare
    const body = anEmail({ channel: "pigeon" });

    // Act
    const paths = refusedPaths(body);

    // Assess
    expect(paths).toEqual(["channel"]);
  });

  it.each([
    ["a line feed", "Hello\nBcc: victim@example.com"],
    ["a carriage return", "Hello\rBcc: victim@example.com"],
    ["CR LF", "Hello\r\nBcc: victim@example.com"],
    ["a tab", "Hello\tthere"],
    ["a NUL", "Hello\u0000"],
    ["DEL", "Hello\u007f"],
  ])("rejects a subject containing %s", (_, subject) => {
    // Prepare
    const body = anEmail({ subject });

    // Act
    const paths = refusedPaths(body);

    // Assess
    expect(paths).toEqual(["subject"]);
  });

  it("accepts a subject with non-ASCII text", () => {
    // Prepare
    const body = anEmail({ subject: "Ihre Bestellung – Größe M ✓" });

    // Act
    const message = accept(body);

    // Assess
    expect(message.subject).toBe("Ihre Bestellung – Größe M ✓");
  });

  it("rejects an empty subject", () => {
    // Prepare
    const body = anEmail({ subject: "" });

    // Act
    const paths = refusedPaths(body);

    // Assess
    expect(paths).toEqual(["subject"]);
  });

  it("requires html or text", () => {
    // Prepare
    const { text: _text, ...body } = valid;

    // Act
    const result = SendMessage.safeParse(body);

    // Assess
    expect(result.success).toBe(false);
    expect(result.error?.issues).toEqual([expect.objectContaining({ path: ["text"], message: "html or text is required" })]);
  });

  it("accepts html alone", () => {
    // Prepare
    const { text: _text, ...rest } = valid;
    const body = { ...rest, html: "<p>Thanks</p>" };

    // Act
    const message = accept(body);

    // Assess
    expect(message).toMatchObject({ html: "<p>Thanks</p>" });
    expect(message).not.toHaveProperty("text");
  });

  it("defaults store_secure to false", () => {
    // Prepare
    const body = anEmail();

    // Act
    const message = accept(body);

    // Assess
    expect(message.store_secure).toBe(false);
  });

  it("keeps store_secure true when given", () => {
    // Prepare
    const body = anEmail({ store_secure: true });

    // Act
    const message = accept(body);

    // Assess
    expect(message.store_secure).toBe(true);
  });

  it("rejects a store_secure that is not a boolean", () => {
    // Prepare
    const body = anEmail({ store_secure: "true" });

    // Act
    const paths = refusedPaths(body);

    // Assess
    expect(paths).toEqual(["store_secure"]);
  });

  it.each(["2030-01-01T10:00:00Z", "2030-01-01T10:00:00.123Z", "2030-01-01T12:00:00+02:00"])(
    "accepts a send_at with a time zone (%s)",
    (sendAt) => {
      // Prepare
      const body = anEmail({ send_at: sendAt });

      // Act
      const message = accept(body);

      // Assess
      expect(message.send_at).toBe(sendAt);
    },
  );

  it.each(["2030-01-01T10:00:00", "2030-01-01", "tomorrow"])("rejects a send_at without a time zone (%s)", (sendAt) => {
    // Prepare
    const body = anEmail({ send_at: sendAt });

    // Act
    const paths = refusedPaths(body);

    // Assess
    expect(paths).toEqual(["send_at"]);
  });
});

describe("SendMessage metadata", () => {
  function entries(count: number): Record<string, string> {
    return Object.fromEntries(Array.from({ length: count }, (_, i) => [`key${i}`, `value${i}`]));
  }

  it("accepts ten entries and returns them as given", () => {
    // Prepare
    const metadata = entries(10);

    // Act
    const message = accept(anEmail({ metadata }));

    // Assess
    expect(message.metadata).toEqual(metadata);
  });

  it("rejects eleven entries", () => {
    // Prepare
    const body = anEmail({ metadata: entries(11) });

    // Act
    const paths = refusedPaths(body);

    // Assess
    expect(paths).toEqual(["metadata"]);
  });

  it.each([
    ["a space", "order id"],
    ["a slash", "order/id"],
    ["nothing", ""],
    ["65 characters", "k".repeat(65)],
  ])("rejects a key with %s", (_, key) => {
    // Prepare
    const body = anEmail({ metadata: { [key]: "A-1001" } });

    // Act
    const paths = refusedPaths(body);

    // Assess
    expect(paths.some((p) => p.startsWith("metadata"))).toBe(true);
  });

  it("rejects a value longer than 256 characters", () => {
    // Prepare
    const body = anEmail({ metadata: { order: "x".repeat(257) } });

    // Act
    const paths = refusedPaths(body);

    // Assess
    expect(paths).toEqual(["metadata.order"]);
  });

  it("accepts a value of exactly 256 characters", () => {
    // Prepare
    const body = anEmail({ metadata: { order: "x".repeat(256) } });

    // Act
    const message = accept(body);

    // Assess
    expect(message.metadata?.order).toHaveLength(256);
  });

  it("rejects a value with a line break", () => {
    // Prepare
    const body = anEmail({ metadata: { order: "A-1\nA-2" } });

    // Act
    const paths = refusedPaths(body);

    // Assess
    expect(paths).toEqual(["metadata.order"]);
  });
});

describe("recipientsOf", () => {
  it("returns every canonical recipient of to, cc and bcc once, in order", () => {
    // Prepare
    const input: SendMessageInput = {
      channel: "email",
      to: "Alice@Example.com, bob@example.com",
      cc: ["carol@example.com"],
      bcc: "Dave@Example.com",
      subject: "Hi",
      text: "Hello",
    };
    const message = SendEmail.parse(input);

    // Act
    const recipients = recipientsOf(message);

    // Assess
    expect(recipients).toEqual(["alice@example.com", "bob@example.com", "carol@example.com", "dave@example.com"]);
  });

  it("returns each address once when a caller-built message repeats it in another case", () => {
    // Prepare
    const message: SendMessage = {
      channel: "email",
      to: ["alice@example.com", "ALICE@example.com"],
      cc: ["Alice@Example.com"],
      subject: "Hi",
      text: "Hello",
      store_secure: false,
    };

    // Act
    const recipients = recipientsOf(message);

    // Assess
    expect(recipients).toEqual(["alice@example.com"]);
  });
});
