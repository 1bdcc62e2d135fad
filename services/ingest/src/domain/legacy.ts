import { type MessageRecord } from "@herald/contracts";
import { contentRules, LegacyMsgParams, SendMessage, type LegacyMsgItem, type LegacyMsgList } from "@herald/contracts/send";
import { fieldErrors, ValidationError } from "@herald/platform";

/** Where the old API's parameters may come from; a parameter given in both must agree. */
export type LegacySources = { query: Record<string, string[]>; body: Record<string, unknown> | undefined };

const PARAMS = ["msg_id", "msg", "subject", "store_secure"] as const;

/**
 * POST /msg's parameters → a v1 email. Query parameters the old API did not know are ignored, as
 * it ignored them (API Gateway passed them through); a body is new, so it is held to its four
 * fields. The result is exactly what POST /v1/messages would have validated.
 */
export function fromLegacy(sources: LegacySources): { params: LegacyMsgParams; message: SendMessage } {
  const merged: Record<string, unknown> = {};
  const problems: { path: string; message: string }[] = [];
  for (const name of PARAMS) {
    const fromQuery = sources.query[name] ?? [];
    if (new Set(fromQuery).size > 1) problems.push({ path: name, message: "is given more than once, with different values" });
    if (fromQuery[0] !== undefined) merged[name] = fromQuery[0];
  }
  for (const [name, value] of Object.entries(sources.body ?? {})) {
    if (name in merged && merged[name] !== value) {
      problems.push({ path: name, message: "is given in the query and the body with different values" });
      continue;
    }
    merged[name] = value;
  }
  const parsed = LegacyMsgParams.safeParse(merged);
  if (!parsed.success) problems.push(...fieldErrors(parsed.error));
  if (problems.length > 0 || !parsed.success) throw new ValidationError("The request has invalid parameters", problems);
  const params = parsed.data;
  const message = SendMessage.parse({
    channel: "email",
    to: params.msg_id,
    subject: params.subject,
    text: params.msg,
    store_secure: params.store_secure,
  });
  return { params, message };
}

/** A stored message as the old API's Query returned it; content it must not show says why. */
export function toLegacyItem(record: MessageRecord, msgId: string): LegacyMsgItem {
  const withheld = record.erased_at !== undefined ? "(erased)" : record.store_secure ? "(encrypted)" : undefined;
  const content = record.content;
  if (withheld !== undefined || !content) {
    return { msg_id: msgId, timestamp: record.created_at, msg: withheld ?? "", subject: withheld ?? "" };
  }
  const rules = contentRules(content.channel);
  return { msg_id: msgId, timestamp: record.created_at, msg: rules.text(content), subject: rules.subject(content) ?? "" };
}

/** Oldest first, as a DynamoDB Query on the range key returns them; every item was scanned. */
export function toLegacyList(newestFirst: readonly MessageRecord[], msgId: string): LegacyMsgList {
  const items = [...newestFirst].reverse().map((record) => toLegacyItem(record, msgId));
  return { Items: items, Count: items.length, ScannedCount: items.length };
}
