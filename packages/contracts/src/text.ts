import * as z from "zod";

/*
 * What every string a caller gives must be, and what text bound for a header (a subject, a
 * metadata value) must not contain. One place, so a new field gets the same rules.
 */

/**
 * A lone UTF-16 surrogate (JSON's "\ud800" escape makes one) is not a character: it has no UTF-8
 * form, so DynamoDB, SQS and every provider refuse it, and it used to get as far as the store
 * and answer 500. In a `u` regex a surrogate pair is one code point, so only lone halves match.
 */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

export const isWellFormed = (value: string): boolean => !LONE_SURROGATE.test(value);

const WELL_FORMED = { error: "must not contain unpaired UTF-16 surrogates (\\ud800-\\udfff)" } as const;

/** A string of whole characters: the base of every free-text field. */
export const WellFormedText = () => z.string().refine(isWellFormed, WELL_FORMED);

// Header-bound text: CR/LF would allow header injection, other C0 controls and the Unicode line
// breaks (NEL, LS, PS) have no business there either.
export const NO_CONTROL_CHARS = /^[^\u0000-\u001f\u007f\u0085\u2028\u2029]*$/;

/**
 * Characters that make header-bound text display otherwise than it reads: the bidi embeddings,
 * overrides and isolates (U+202A-U+202E, U+2066-U+2069: "Invoice \u202Efdp.exe" shows as
 * "Invoice exe.pdf"), and the invisible ZERO WIDTH SPACE, WORD JOINER and BOM/ZWNBSP (U+200B,
 * U+2060, U+FEFF), which hide words from filters and readers. The marks LRM, RLM and ALM stay
 * allowed: they only place neutral characters in right-to-left text and cannot reorder it.
 */
const HIDDEN_FORMATTING = /[\u202A-\u202E\u2066-\u2069\u200B\u2060\uFEFF]/u;

/*
 * ZERO WIDTH NON-JOINER and JOINER (U+200C, U+200D) are spelling in Persian, Hindi and other
 * scripts and glue emoji sequences (👩‍💻, 🏳️‍🌈), so they are allowed between two such
 * characters (letters, marks, digits, symbols, as in a word or an emoji) and refused anywhere
 * else (leading, trailing, beside a space or another invisible), where they only hide.
 */
const JOINABLE = String.raw`[\p{L}\p{M}\p{N}\p{So}\p{Sk}]`;
const STRAY_JOINER = new RegExp(String.raw`(?<!${JOINABLE})[\u200C\u200D]|[\u200C\u200D](?!${JOINABLE})`, "u");

export const hasHiddenFormatting = (value: string): boolean => HIDDEN_FORMATTING.test(value) || STRAY_JOINER.test(value);

/** Text that goes into a header: whole characters, one line, no hidden bidi or zero-width formatting. */
export const HeaderText = () =>
  WellFormedText()
    .regex(NO_CONTROL_CHARS, { error: "must not contain CR, LF, line separators or other control characters" })
    .refine((value) => !hasHiddenFormatting(value), {
      error: "must not contain bidi overrides or invisible zero-width characters (U+202A-U+202E, U+2066-U+2069, U+200B-U+200D, U+2060, U+FEFF)",
    });
