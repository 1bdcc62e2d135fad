import type { QueueEnvelope } from "@herald/contracts";
import { deliver, type DeliverDeps, type Delivery } from "@herald/delivery";
import { PermanentError } from "@herald/platform";
import type { SmsSender } from "../ports/sms-sender";

export type HandleDeps = DeliverDeps & { sender: SmsSender };
export type { Delivery };

/** Sends one queued SMS through the provider and records the outcome (see `deliver`). */
export function handleSmsMessage(envelope: QueueEnvelope, delivery: Delivery, deps: HandleDeps): Promise<void> {
  return deliver(envelope, delivery, deps, (content, context) => {
    if (content.channel !== "sms") throw new PermanentError("sms.wrong_channel", "not an SMS");
    context.attempt(deps.sender.name);
    return deps.sender.send(content, { messageId: context.messageId });
  });
}
