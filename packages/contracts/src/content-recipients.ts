import { canonicalEmail } from "./address";
import type { ChannelName } from "./channels";
import type { MessageContent } from "./record";

type Content<C extends ChannelName> = Extract<MessageContent, { channel: C }>;

/*
 * Taking recipients out of stored content (suppressed ones), per channel. Apart from the channel
 * rules (channel-content.ts, in @herald/contracts/send) because the consumers need it at every
 * send, and those rules load what only the ingest API should (libphonenumber's metadata, the SMS
 * segment counter). A mapped type: a channel without its entry does not compile.
 */
export const WITHOUT_RECIPIENTS: { [C in ChannelName]: (content: Content<C>, drop: ReadonlySet<string>) => Content<C> | undefined } = {
  email: (content, drop) => {
    const keep = (list: string[] | undefined) => list?.filter((a) => !drop.has(canonicalEmail(a)));
    const to = keep(content.to) ?? [];
    const cc = keep(content.cc);
    const bcc = keep(content.bcc);
    if (to.length + (cc?.length ?? 0) + (bcc?.length ?? 0) === 0) return undefined;
    const { cc: _cc, bcc: _bcc, ...rest } = content;
    return { ...rest, to, ...(cc && cc.length > 0 && { cc }), ...(bcc && bcc.length > 0 && { bcc }) };
  },
  sms: (content, drop) => (drop.has(content.to) ? undefined : content),
};

/** The content without these canonical recipients, or undefined when none is left. */
export const withoutRecipients = (content: MessageContent, drop: ReadonlySet<string>): MessageContent | undefined =>
  (WITHOUT_RECIPIENTS[content.channel] as (content: MessageContent, drop: ReadonlySet<string>) => MessageContent | undefined)(content, drop);
