import { parsePhoneNumberWithError, type PhoneNumber as ParsedPhoneNumber } from "libphonenumber-js/max";
import { SegmentedMessage } from "sms-segments-calculator";
import { z } from "zod";

/**
 * A phone number in E.164 ("+447700900123"), validated against libphonenumber's full metadata
 * (number plans per country, not only lengths) and normalised: spaces, dashes and brackets a
 * person may type are dropped. A number without its "+country code" is refused rather than
 * guessed.
 */
export const PhoneNumber = z
  .string()
  .max(32, { error: "must be at most 32 characters" })
  .transform((value, ctx) => {
    const parsed = parsePhone(value);
    if (!parsed) {
      ctx.addIssue({ code: "custom", message: "must be a valid phone number in E.164 form, e.g. +447700900123" });
      return z.NEVER;
    }
    return parsed.number as string;
  })
  .meta({ description: "A phone number in E.164 form.", example: "+447700900123" });

function parsePhone(value: string): ParsedPhoneNumber | undefined {
  // Digits and the separators people type; no other whitespace (CR/LF must never pass).
  if (!/^\+[\d ().-]+$/.test(value)) return undefined;
  try {
    const parsed = parsePhoneNumberWithError(value);
    return parsed.isValid() ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** E.164 for a valid number, else undefined: for query parameters such as ?recipient=. */
export function canonicalPhone(value: string): string | undefined {
  return parsePhone(value)?.number;
}

/** Twilio's limit for one message body; longer texts are refused rather than cut. */
export const MAX_SMS_CHARS = 1600;

export type SmsSegments = { encoding: "GSM-7" | "UCS-2"; segments: number; characters: number };

/** How carriers will split the text: GSM-7 (160/153 per segment) or UCS-2 (70/67). */
export function smsSegments(text: string): SmsSegments {
  const message = new SegmentedMessage(text, "auto");
  return { encoding: message.encodingName, segments: message.segmentsCount, characters: message.graphemes.length };
}
