import type { SmsContent } from "@herald/contracts";
import type { Sender, SendResult } from "@herald/delivery";

export type { SendResult };

/** Hands one SMS to the provider, "twilio" or "sns" (see Sender for what it throws). */
export type SmsSender = Sender<SmsContent, "twilio" | "sns">;
