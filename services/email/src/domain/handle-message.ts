import type { EmailContent, QueueEnvelope } from "@herald/contracts";
import { deliver, type DeliverDeps, type Delivery, type SendContext, type SendResult } from "@herald/delivery";
import { PermanentError } from "@herald/platform";

/** The email consumer's way out: the configured transports with failover (see failover.ts). */
export type EmailDelivery = { send(email: EmailContent, context: SendContext): Promise<SendResult> };

export type HandleDeps = DeliverDeps & { sender: EmailDelivery };
export type { Delivery };

/** Sends one queued email through the transports and records the outcome (see `deliver`). */
export function handleEmailMessage(envelope: QueueEnvelope, delivery: Delivery, deps: HandleDeps): Promise<void> {
  return deliver(envelope, delivery, deps, (content, context) => {
    if (content.channel !== "email") throw new PermanentError("email.wrong_channel", "not an email");
    return deps.sender.send(content, context);
  });
}
