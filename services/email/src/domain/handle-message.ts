import type { QueueEnvelope } from "@herald/contracts";
import { deliver, type DeliverDeps, type Delivery } from "@herald/messages";
import { PermanentError } from "@herald/platform";
import type { EmailSender } from "../ports/email-sender";

export type HandleDeps = DeliverDeps & { sender: EmailSender };
export type { Delivery };

/** Sends one queued email through the sender and records the outcome (see `deliver`). */
export function handleEmailMessage(envelope: QueueEnvelope, delivery: Delivery, deps: HandleDeps): Promise<void> {
  return deliver(envelope, delivery, deps, (content) => {
    if (content.channel !== "email") throw new PermanentError("email.wrong_channel", "not an email");
    return deps.sender.send(content);
  });
}
