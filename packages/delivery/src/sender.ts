import type { SendContext, SendResult } from "./deliver";

/** What a sender is told about the message it sends. */
export type SenderContext = Pick<SendContext, "messageId">;

/**
 * Hands one message to one provider (SES, an SMTP relay, Twilio, SNS). Implementations throw
 * PermanentError for a refusal that will not change on retry (nor through another provider) and
 * TransientError for anything worth another try. Neither may carry an address, a phone number or
 * the content: reasons end up on the message record and in logs.
 */
export interface Sender<Content, Name extends string = string> {
  /** The provider's name as configured and recorded on the message: "ses", "twilio", ... */
  readonly name: Name;
  send(content: Content, context: SenderContext): Promise<SendResult>;
  /** Lets go of connections (a worker's graceful stop). */
  close?(): Promise<void>;
}

/**
 * A sender whose adapter (and the library under it) is loaded on its first send: a transport the
 * configuration names only as a failover (an SMTP relay behind SES) costs nothing at a cold start.
 * A failed load is tried again by the next send.
 */
export function lazySender<Content, Name extends string>(name: Name, load: () => Promise<Sender<Content, Name>>): Sender<Content, Name> {
  let loading: Promise<Sender<Content, Name>> | undefined;
  const sender = () =>
    (loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    }));
  return {
    name,
    send: async (content, context) => (await sender()).send(content, context),
    close: async () => {
      const loaded = await loading?.catch(() => undefined);
      await loaded?.close?.();
    },
  };
}
