import { z } from "zod";

/**
 * What travels on a channel queue. Content stays in the message record (one copy, erasable,
 * small queue payloads); the consumer reads it by id. Versioned so old messages in flight are
 * still understood after a deploy.
 */
export const QueueEnvelope = z.strictObject({
  v: z.literal(1),
  id: z.string().min(1),
  tenant: z.string().min(1),
  principal: z.string().min(1),
  channel: z.enum(["email"]),
});
export type QueueEnvelope = z.infer<typeof QueueEnvelope>;
