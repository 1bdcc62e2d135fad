import * as z from "zod";
import { Channel, MessageContent } from "./record";

/**
 * What travels on a queue. Content normally stays in the message record (one copy, erasable,
 * small queue payloads) and the consumer reads it by id. A store_secure message has no plaintext
 * record, so its content travels here, on queues encrypted at rest: to its channel's consumer
 * to be sent, and to the secure-store consumer to be sealed. Versioned so messages in flight are
 * still understood after a deploy.
 */
export const QueueEnvelope = z.strictObject({
  v: z.literal(1),
  id: z.string().min(1),
  tenant: z.string().min(1),
  principal: z.string().min(1),
  channel: Channel,
  content: MessageContent.optional(),
});
export type QueueEnvelope = z.infer<typeof QueueEnvelope>;
