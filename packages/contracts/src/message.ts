import * as z from "zod";
import { EmailAddress, EmailAddressList, dedupeEmails } from "./address";
import { MAX_METADATA_ENTRIES, MAX_RECIPIENTS, MAX_SUBJECT_CHARS } from "./limits";
import { MAX_SMS_CHARS, SmsNumber } from "./phone";
import { HeaderText, WellFormedText } from "./text";


// Every string field is WellFormedText (no lone surrogate) or a schema that only admits ASCII
// (addresses, numbers, keys, dates); header-bound ones are HeaderText.
export const Subject = HeaderText()
  .min(1, { error: "must not be empty" })
  .max(MAX_SUBJECT_CHARS, { error: `must be at most ${MAX_SUBJECT_CHARS} characters` });

export const Metadata = z
  .record(
    z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, { error: "keys are 1-64 of A-Z a-z 0-9 _ . : -" }),
    HeaderText().max(256, { error: "values are at most 256 characters" }),
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
    html: WellFormedText().min(1).optional(),
    text: WellFormedText().min(1).optional(),
    store_secure: z.boolean().default(false),
    send_at: SendAt.optional(),
    metadata: Metadata.optional(),
  })
  .superRefine((m, ctx) => {
    if (m.html === undefined && m.text === undefined) {
      ctx.addIssue({ code: "custom", path: ["text"], message: "html or text is required" });
    }
    // reply_to counts too: every recipient's reply goes to each of its addresses, so a long
    // reply_to turns one message into mail to all of them. An address already in to, cc or bcc
    // is one party, counted once.
    const seen = new Set<string>();
    const recipients = [m.to, m.cc ?? [], m.bcc ?? []].reduce((n, list) => n + dedupeEmails(list, seen).length, 0);
    const total = recipients + dedupeEmails(m.reply_to ?? [], seen).length;
    if (total > MAX_RECIPIENTS) {
      ctx.addIssue({
        code: "custom",
        path: [recipients > MAX_RECIPIENTS ? "to" : "reply_to"],
        message: `at most ${MAX_RECIPIENTS} addresses in to, cc, bcc and reply_to together`,
      });
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
    to: SmsNumber,
    text: WellFormedText()
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

