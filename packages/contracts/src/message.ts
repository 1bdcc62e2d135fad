import { z } from "zod";
import { EmailAddress, EmailAddressList, dedupeEmails } from "./address";
import { MAX_METADATA_ENTRIES, MAX_RECIPIENTS, MAX_SUBJECT_CHARS } from "./limits";
import { MAX_SMS_CHARS, PhoneNumber } from "./phone";

// Header-bound text: CR/LF would allow header injection, other C0 controls and the Unicode line
// breaks (NEL, LS, PS) have no business there either.
const NO_CONTROL_CHARS = /^[^\u0000-\u001f\u007f\u0085\u2028\u2029]*$/;

export const Subject = z
  .string()
  .min(1, { error: "must not be empty" })
  .max(MAX_SUBJECT_CHARS, { error: `must be at most ${MAX_SUBJECT_CHARS} characters` })
  .regex(NO_CONTROL_CHARS, { error: "must not contain CR, LF, line separators or other control characters" });

export const Metadata = z
  .record(
    z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, { error: "keys are 1-64 of A-Z a-z 0-9 _ . : -" }),
    z
      .string()
      .max(256, { error: "values are at most 256 characters" })
      .regex(NO_CONTROL_CHARS, { error: "values must not contain control characters" }),
  )
  .refine((m) => Object.keys(m).length <= MAX_METADATA_ENTRIES, {
    error: `at most ${MAX_METADATA_ENTRIES} entries`,
  })
  .meta({ description: "Caller's own labels, returned as given.", example: { order: "A-1001" } });

export const SendAt = z.iso
  .datetime({ offset: true, error: "must be an ISO 8601 date-time with a time zone" })
  .meta({ description: "Deliver no earlier than this; at most 15 minutes ahead." });

export const SendEmail = z
  .strictObject({
    channel: z.literal("email"),
    to: EmailAddressList,
    cc: EmailAddressList.optional(),
    bcc: EmailAddressList.optional(),
    from: EmailAddress.optional().meta({ description: "A configured, verified sender; default: the service's." }),
    reply_to: EmailAddressList.optional(),
    subject: Subject,
    html: z.string().min(1).optional(),
    text: z.string().min(1).optional(),
    store_secure: z.boolean().default(false),
    send_at: SendAt.optional(),
    metadata: Metadata.optional(),
  })
  .superRefine((m, ctx) => {
    if (m.html === undefined && m.text === undefined) {
      ctx.addIssue({ code: "custom", path: ["text"], message: "html or text is required" });
    }
    const seen = new Set<string>();
    const total = [m.to, m.cc ?? [], m.bcc ?? []].reduce((n, list) => n + dedupeEmails(list, seen).length, 0);
    if (total > MAX_RECIPIENTS) {
      ctx.addIssue({ code: "custom", path: ["to"], message: `at most ${MAX_RECIPIENTS} recipients in to, cc and bcc together` });
    }
  })
  // An address appears once: in `to` if it is there, else in `cc`, else in `bcc`.
  .transform((m) => {
    const seen = new Set<string>();
    const to = dedupeEmails(m.to, seen);
    const cc = m.cc ? dedupeEmails(m.cc, seen) : undefined;
    const bcc = m.bcc ? dedupeEmails(m.bcc, seen) : undefined;
    return { ...m, to, ...(cc && { cc }), ...(bcc && { bcc }) };
  })
  .meta({ id: "SendEmail" });
export type SendEmail = z.infer<typeof SendEmail>;

export const SendSms = z
  .strictObject({
    channel: z.literal("sms"),
    to: PhoneNumber,
    text: z
      .string()
      .min(1, { error: "must not be empty" })
      .max(MAX_SMS_CHARS, { error: `must be at most ${MAX_SMS_CHARS} characters` })
      .meta({ description: `Up to ${MAX_SMS_CHARS} characters; split into segments by the carrier (counted and recorded).` }),
    store_secure: z.boolean().default(false),
    send_at: SendAt.optional(),
    metadata: Metadata.optional(),
  })
  .meta({ id: "SendSms" });
export type SendSms = z.infer<typeof SendSms>;

// The discriminator is `channel`; a new channel joins this union.
export const SendMessage = z.discriminatedUnion("channel", [SendEmail, SendSms]).meta({ id: "SendMessage" });
export type SendMessage = z.infer<typeof SendMessage>;
export type SendMessageInput = z.input<typeof SendMessage>;

