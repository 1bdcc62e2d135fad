import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type * as z from "zod";
import { hasHiddenFormatting, isWellFormed } from "../../src/index";
import { LegacyMsgParams, SendMessage } from "../../src/send";

const email = { channel: "email", to: "alice@example.com", subject: "Your receipt", text: "Thanks for your order." } as const;
const sms = { channel: "sms", to: "+447911000001", text: "Your code is 123456" } as const;
const legacy = { msg_id: "alice@example.com", msg: "Thanks for your order.", subject: "Your receipt" } as const;

/** The dotted paths of the issues of a body that must be refused. */
function refusedPaths(schema: z.ZodType, body: unknown): string[] {
  const result = schema.safeParse(body);
  expect(result.success).toBe(false);
  return (result.error?.issues ?? []).map((issue) => issue.path.map(String).join("."));
}

/** Every string field of each body, with a way to put a value there. */
const FIELDS: [string, z.ZodType, (value: string) => unknown][] = [
  ["email subject", SendMessage, (v) => ({ ...email, subject: v })],
  ["email text", SendMessage, (v) => ({ ...email, text: v })],
  ["email html", SendMessage, (v) => ({ ...email, html: v })],
  ["email to", SendMessage, (v) => ({ ...email, to: v })],
  ["email cc", SendMessage, (v) => ({ ...email, cc: [v] })],
  ["email bcc", SendMessage, (v) => ({ ...email, bcc: v })],
  ["email reply_to", SendMessage, (v) => ({ ...email, reply_to: v })],
  ["email from", SendMessage, (v) => ({ ...email, from: v })],
  ["email send_at", SendMessage, (v) => ({ ...email, send_at: v })],
  ["email metadata value", SendMessage, (v) => ({ ...email, metadata: { order: v } })],
  ["email metadata key", SendMessage, (v) => ({ ...email, metadata: { [v]: "A-1001" } })],
  ["sms to", SendMessage, (v) => ({ ...sms, to: v })],
  ["sms text", SendMessage, (v) => ({ ...sms, text: v })],
  ["sms metadata value", SendMessage, (v) => ({ ...sms, metadata: { order: v } })],
  ["legacy msg", LegacyMsgParams, (v) => ({ ...legacy, msg: v })],
  ["legacy subject", LegacyMsgParams, (v) => ({ ...legacy, subject: v })],
  ["legacy msg_id", LegacyMsgParams, (v) => ({ ...legacy, msg_id: v })],
];

describe("lone UTF-16 surrogates", () => {
  it.each([
    ["a lone high surrogate", "\uD800"],
    ["a lone low surrogate", "\uDC00"],
    ["a high surrogate at the end", "Your receipt \uD83D"],
    ["two low surrogates", "\uDE00\uDE00"],
    ["a reversed pair", "\uDE00\uD83D"],
  ])("refuses a subject with %s on the subject path", (_, subject) => {
    // Prepare
    const body = { ...email, subject };

    // Act
    const paths = refusedPaths(SendMessage, body);

    // Assess
    expect(paths).toEqual(["subject"]);
  });

  it("accepts a subject with an emoji (a surrogate pair)", () => {
    // Prepare
    const body = { ...email, subject: "Your receipt 🎉" };

    // Act
    const result = SendMessage.safeParse(body);

    // Assess
    expect(result.success).toBe(true);
  });

  it.each(FIELDS)("refuses a lone surrogate in the %s", (_, schema, put) => {
    // Prepare
    const body = put("Thanks\uD800");

    // Act
    const result = schema.safeParse(body);

    // Assess
    expect(result.success).toBe(false);
  });

  it("refuses, in every string field, any text that holds a lone surrogate", () => {
    // Prepare
    const lone = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));
    const withLone = fc
      .tuple(fc.string({ unit: "grapheme", maxLength: 20 }), lone, fc.string({ unit: "grapheme", maxLength: 20 }))
      .map(([before, half, after]) => before + half + after)
      .filter((value) => !isWellFormed(value));

    // Act, Assess
    fc.assert(
      fc.property(fc.constantFrom(...FIELDS), withLone, ([, schema, put], value) => {
        expect(schema.safeParse(put(value)).success).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it("keeps every well-formed string well-formed and every lone half not", () => {
    // Act, Assess
    fc.assert(fc.property(fc.string({ unit: "grapheme" }), (value) => isWellFormed(value)), { numRuns: 300 });
    for (let code = 0xd800; code <= 0xdfff; code += 0x7f) expect(isWellFormed(`a${String.fromCharCode(code)}b`)).toBe(false);
  });
});

describe("hidden formatting in header-bound text", () => {
  it.each([
    ["RIGHT-TO-LEFT OVERRIDE", "Invoice \u202Efdp.exe"],
    ["LEFT-TO-RIGHT OVERRIDE", "Invoice \u202Dpaid"],
    ["LEFT-TO-RIGHT EMBEDDING", "\u202AInvoice"],
    ["POP DIRECTIONAL FORMATTING", "Invoice\u202C"],
    ["RIGHT-TO-LEFT ISOLATE", "Invoice \u2067x\u2069"],
    ["FIRST STRONG ISOLATE", "\u2068Invoice"],
    ["ZERO WIDTH SPACE", "Pay\u200Bpal receipt"],
    ["WORD JOINER", "Pay\u2060pal"],
    ["a BOM", "\uFEFFYour receipt"],
    ["a leading ZERO WIDTH JOINER", "\u200DYour receipt"],
    ["a ZERO WIDTH NON-JOINER beside a space", "Your \u200Creceipt"],
    ["a trailing ZERO WIDTH JOINER", "Your receipt\u200D"],
    ["two joiners in a row", "Pay\u200D\u200Dpal"],
  ])("refuses a subject with %s", (_, subject) => {
    // Prepare
    const body = { ...email, subject };

    // Act
    const paths = refusedPaths(SendMessage, body);

    // Assess
    expect(paths).toEqual(["subject"]);
  });

  it.each([
    ["a Persian word with a ZERO WIDTH NON-JOINER", "سفارش شما ارسال می\u200Cشود"],
    ["an emoji ZWJ sequence", "Welcome, 👩\u200D💻"],
    ["an emoji sequence with a skin tone", "👩🏽\u200D💻 ready"],
    ["a flag sequence with a variation selector", "Pride 🏳️\u200D🌈"],
    ["a Devanagari conjunct with a joiner", "क्\u200Dष"],
    ["right-to-left text with RLM", "طلب رقم 42\u200F"],
  ])("accepts a subject with %s", (_, subject) => {
    // Prepare
    const body = { ...email, subject };

    // Act
    const result = SendMessage.safeParse(body);

    // Assess
    expect(result.success).toBe(true);
  });

  it("refuses a metadata value with a bidi override", () => {
    // Prepare
    const body = { ...email, metadata: { order: "A-\u202E1001" } };

    // Act
    const paths = refusedPaths(SendMessage, body);

    // Assess
    expect(paths).toEqual(["metadata.order"]);
  });

  it("refuses a legacy subject with a zero width space", () => {
    // Prepare
    const params = { ...legacy, subject: "Your\u200Breceipt" };

    // Act
    const paths = refusedPaths(LegacyMsgParams, params);

    // Assess
    expect(paths).toEqual(["subject"]);
  });

  it("leaves bidi and zero-width characters in a body (text, html, an SMS) alone", () => {
    // Prepare
    const bodies = [
      { ...email, text: "Invoice \u202Efdp\u202C and Pay\u200Bpal" },
      { ...email, html: "<p dir=rtl>\u2067x\u2069</p>" },
      { ...sms, text: "\u200BCode 1234" },
    ];

    // Act
    const results = bodies.map((body) => SendMessage.safeParse(body).success);

    // Assess
    expect(results).toEqual([true, true, true]);
  });

  it("finds hidden formatting wherever it is", () => {
    // Prepare
    const hidden = fc.constantFrom("\u202A", "\u202B", "\u202C", "\u202D", "\u202E", "\u2066", "\u2067", "\u2068", "\u2069", "\u200B", "\u2060", "\uFEFF");

    // Act, Assess
    fc.assert(
      fc.property(fc.string(), hidden, fc.string(), (before, char, after) => hasHiddenFormatting(before + char + after)),
      { numRuns: 300 },
    );
  });
});
