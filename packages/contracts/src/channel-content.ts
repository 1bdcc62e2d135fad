import { canonicalEmail } from "./address";
import type { ChannelName } from "./channels";
import { WITHOUT_RECIPIENTS } from "./content-recipients";
import type { SendMessage } from "./message";
import { smsSegments } from "./phone";
import type { MessageContent, MessageRecord } from "./record";

type Send<C extends ChannelName> = Extract<SendMessage, { channel: C }>;
type Content<C extends ChannelName> = Extract<MessageContent, { channel: C }>;

/** The content fields a message view shows (GET /v1/messages/{id}, decrypt). */
export type ContentView = {
  from?: string;
  to?: string[];
  cc?: string[];
  bcc?: string[];
  reply_to?: string[];
  subject?: string;
  html?: string;
  text?: string;
};

/**
 * What a channel's content is on the way in and on the way out, beside its schemas (message.ts,
 * record.ts). The ingest API asks these, never which channel it holds, so a new channel is its
 * registry entry, its schemas, this object and its consumer service.
 */
export type ChannelContent<C extends ChannelName> = {
  /** The sender the caller asked for, on a channel that has senders (checked against the allowed ones). */
  requestedSender?(message: Send<C>): string | undefined;
  /** The content to record and send; `sender` is the resolved sender where the channel has one. */
  content(message: Send<C>, sender: string | undefined): Content<C>;
  /** Canonical recipients: the keys of the recipients' history. */
  recipients(message: Send<C>): string[];
  /** Fields of its own the record keeps (an SMS's segment count). */
  recordFields?(message: Send<C>): Partial<MessageRecord>;
  view(content: Content<C>): ContentView;
  /** Its subject, where it has one (list summaries, the legacy list). */
  subject(content: Content<C>): string | undefined;
  /** Its text as one string (the legacy list). */
  text(content: Content<C>): string;
  /** The content without these canonical recipients (suppressed ones), or undefined when none is left. */
  without(content: Content<C>, drop: ReadonlySet<string>): Content<C> | undefined;
};

// A mapped type: a channel in the registry without its content rules does not compile.
export const CHANNEL_CONTENT: { [C in ChannelName]: ChannelContent<C> } = {
  email: {
    requestedSender: (message) => message.from,
    content: (message, sender) => ({
      channel: "email",
      from: sender ?? "",
      to: message.to,
      ...(message.cc && { cc: message.cc }),
      ...(message.bcc && { bcc: message.bcc }),
      ...(message.reply_to && { reply_to: message.reply_to }),
      subject: message.subject,
      ...(message.html !== undefined && { html: message.html }),
      ...(message.text !== undefined && { text: message.text }),
    }),
    recipients: (message) => [...new Set([...message.to, ...(message.cc ?? []), ...(message.bcc ?? [])].map(canonicalEmail))],
    view: (content) => ({
      from: content.from,
      to: content.to,
      ...(content.cc && { cc: content.cc }),
      ...(content.bcc && { bcc: content.bcc }),
      ...(content.reply_to && { reply_to: content.reply_to }),
      subject: content.subject,
      ...(content.html !== undefined && { html: content.html }),
      ...(content.text !== undefined && { text: content.text }),
    }),
    subject: (content) => content.subject,
    text: (content) => content.text ?? content.html ?? "",
    without: WITHOUT_RECIPIENTS.email,
  },
  sms: {
    content: (message) => ({ channel: "sms", to: message.to, text: message.text }),
    recipients: (message) => [message.to],
    recordFields: (message) => ({ sms: smsSegments(message.text) }),
    view: (content) => ({ to: [content.to], text: content.text }),
    subject: () => undefined,
    text: (content) => content.text,
    without: WITHOUT_RECIPIENTS.sms,
  },
};

/*
 * One channel's rules for a value of the union. TypeScript cannot tie the index to the argument
 * (a correlated union), so the rules are looked up once here, typed for the whole union.
 */
type AnyRules = {
  requestedSender?(message: SendMessage): string | undefined;
  content(message: SendMessage, sender: string | undefined): MessageContent;
  recipients(message: SendMessage): string[];
  recordFields?(message: SendMessage): Partial<MessageRecord>;
  view(content: MessageContent): ContentView;
  subject(content: MessageContent): string | undefined;
  text(content: MessageContent): string;
  without(content: MessageContent, drop: ReadonlySet<string>): MessageContent | undefined;
};

export const contentRules = (channel: ChannelName): AnyRules => CHANNEL_CONTENT[channel] as unknown as AnyRules;

/** Every canonical recipient of a message: the keys of its recipient history. */
export const recipientsOf = (message: SendMessage): string[] => contentRules(message.channel).recipients(message);
