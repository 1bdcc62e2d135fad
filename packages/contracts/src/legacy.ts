import * as z from "zod";
import { EmailAddress } from "./address";
import { MAX_BODY_BYTES } from "./limits";
import { Subject } from "./message";
import { WellFormedText } from "./text";

/*
 * The serverless message API's own routes (the first field report), kept as its clients call
 * them: POST /msg?msg_id=&msg=&subject=&store_secure= and GET /msg?msg_id=. Parameters keep
 * their old names; everything behind them is Herald's v1 pipeline.
 */

/** What the old API took as the message text; a little under the body cap, so the queue payload fits SQS. */
export const MAX_LEGACY_MSG_BYTES = MAX_BODY_BYTES - 4 * 1024;

/** The old API sent only email: msg_id is the recipient's address. */
export const LegacyMsgId = EmailAddress.meta({ description: "The recipient's email address (the old API's HASH key).", example: "alice@example.com" });

export const LegacyMsgText = WellFormedText()
  .min(1, { error: "must not be empty" })
  .refine((text) => Buffer.byteLength(text, "utf8") <= MAX_LEGACY_MSG_BYTES, {
    error: `must be at most ${MAX_LEGACY_MSG_BYTES} bytes`,
  })
  .meta({ description: "The message, sent as the email's text." });

/** "True" (the old API's only true value; a JSON body may also give true); anything else is false. */
export const LegacyStoreSecure = z
  .union([z.string(), z.boolean()])
  .optional()
  .transform((value) => value === true || value === "True")
  .meta({ description: 'The string "True" seals the message (KMS); any other value does not.', example: "True" });

/** A missing parameter says so, before any check of its value. */
const given = () => z.string({ error: (issue) => (issue.input === undefined ? "is required" : "must be a string") });

export const LegacyMsgParams = z
  .strictObject({
    msg_id: given().pipe(LegacyMsgId),
    msg: given().pipe(LegacyMsgText),
    subject: given().pipe(Subject),
    store_secure: LegacyStoreSecure,
  })
  .meta({ id: "LegacyMsgParams" });
export type LegacyMsgParams = z.infer<typeof LegacyMsgParams>;

export const LegacyMsgQuery = z.object({ msg_id: given().min(1, { error: "is required" }) });

/** One stored message as the old API's DynamoDB Query returned it. */
export const LegacyMsgItem = z
  .strictObject({
    msg_id: z.string(),
    timestamp: z.iso.datetime().meta({ description: "When it was accepted (ISO 8601); the old API's RANGE key." }),
    msg: z.string().meta({ description: 'The text; "(encrypted)" for a store_secure message, "(erased)" once erased.' }),
    subject: z.string(),
  })
  .meta({ id: "LegacyMsgItem" });
export type LegacyMsgItem = z.infer<typeof LegacyMsgItem>;

/** The DynamoDB Query shape the old API's clients parse: oldest first, Count = ScannedCount. */
export const LegacyMsgList = z
  .strictObject({ Items: z.array(LegacyMsgItem), Count: z.number().int(), ScannedCount: z.number().int() })
  .meta({ id: "LegacyMsgList" });
export type LegacyMsgList = z.infer<typeof LegacyMsgList>;

/** The old API's 201 body, a JSON string, its spelling kept: clients compare it. */
export const legacySentBody = (msgId: string) => `Msg sent and stored succesfully for ${msgId}`;
