import { getCountries, parsePhoneNumberWithError, type PhoneNumber as ParsedPhoneNumber } from "libphonenumber-js/max";
import { SegmentedMessage } from "sms-segments-calculator";
import * as z from "zod";

/**
 * A phone number in E.164 ("+447700900123"), validated against libphonenumber's full metadata
 * (number plans per country, not only lengths) and normalised: spaces, dashes and brackets a
 * person may type are dropped. A number without its "+country code" is refused rather than
 * guessed.
 */
export const PhoneNumber = phoneSchema().meta({ description: "A phone number in E.164 form.", example: "+447700900123" });

/** A valid number as E.164, or the issue `refusal` finds with it. */
function phoneSchema(refusal: (parsed: ParsedPhoneNumber) => string | undefined = () => undefined) {
  return z
    .string()
    .max(32, { error: "must be at most 32 characters" })
    .transform((value, ctx) => {
      const parsed = parsePhone(value);
      const problem = parsed === undefined ? "must be a valid phone number in E.164 form, e.g. +447911000001" : refusal(parsed);
      if (parsed === undefined || problem !== undefined) {
        ctx.addIssue({ code: "custom", message: problem });
        return z.NEVER;
      }
      return parsed.number as string;
    });
}

/**
 * The number types an SMS is never sent to: the caller pays nothing, the sender pays the
 * number's owner (toll fraud, "SMS pumping"). Premium-rate (+1 900, +44 909), shared-cost
 * (+33 81x, +34 901) and UAN (+44 55, +81 570) numbers are not phones anybody reads texts on.
 */
export const REFUSED_SMS_NUMBER_TYPES = ["PREMIUM_RATE", "SHARED_COST", "UAN"] as const;

const TYPE_NAMES: Record<(typeof REFUSED_SMS_NUMBER_TYPES)[number], string> = {
  PREMIUM_RATE: "a premium-rate number",
  SHARED_COST: "a shared-cost number",
  UAN: "a universal access number (UAN)",
};

/**
 * A number an SMS may be sent to: a valid PhoneNumber of a country (ISO 3166-1), not of a
 * refused type. Numbers of no country (+800, +808, +870, +881, +882, +883, +979: international
 * freephone, shared-cost, satellite, international networks, premium-rate) are refused: they are
 * the first destinations of SMS pumping, and no deployment's country allow-list can name them.
 */
export const SmsNumber = phoneSchema(smsRefusal).meta({
  description: "A phone number in E.164 form, of a country; premium-rate, shared-cost and UAN numbers are refused.",
  example: "+447911000001",
});

function smsRefusal(parsed: ParsedPhoneNumber): string | undefined {
  const type = parsed.getType();
  const refused = REFUSED_SMS_NUMBER_TYPES.find((t) => t === type);
  if (refused) return `is ${TYPE_NAMES[refused]}: SMS is not sent to premium-rate, shared-cost or UAN numbers`;
  if (parsed.country === undefined) return "is not a number of a country (international network, satellite or premium service): SMS is not sent to it";
  return undefined;
}

/** The ISO 3166-1 alpha-2 codes of the countries (and territories) that have a numbering plan. */
export const PHONE_COUNTRIES: readonly string[] = getCountries();

/** The ISO 3166-1 alpha-2 country of a valid number ("+447911000001" → "GB"), undefined for none. */
export function phoneCountry(value: string): string | undefined {
  return parsePhone(value)?.country;
}

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
