import * as z from "zod";

// Not in api.ts: the consumers' suppression lists parse stored entries with it, and a module
// they import is a module whose every schema their cold start builds (api.ts: ~5 KB and some
// twenty schemas a consumer never uses).

export const SuppressionReason = z.enum(["bounce", "complaint", "unsubscribed", "manual"]);
export type SuppressionReason = z.infer<typeof SuppressionReason>;

/** An address (or phone number) the tenant no longer sends to, and why. */
export const Suppression = z
  .strictObject({
    address: z.string().meta({ description: "The canonical address: lower-case email, or E.164 number." }),
    reason: SuppressionReason,
    created_at: z.iso.datetime(),
    /** The message whose bounce, complaint or unsubscribe caused it. */
    message_id: z.string().optional(),
    bounce_type: z.string().optional(),
    bounce_subtype: z.string().optional(),
    /** Who added it by hand (reason manual). */
    principal: z.string().optional(),
    note: z.string().optional(),
  })
  .meta({ id: "Suppression" });
export type Suppression = z.infer<typeof Suppression>;
