import * as z from "zod";
import { EmailAddress } from "@herald/contracts";
import { env } from "./env";

const isAddress = (value: string) => EmailAddress.safeParse(value).success;

/**
 * A `from` value callers may use: an address, or `@domain` for every address of a domain. A
 * domain is judged as the domain of an address is, by the API's own EmailAddress rule.
 */
export const Sender = z
  .string()
  .refine((value) => (value.startsWith("@") ? isAddress(`x${value}`) : isAddress(value)), "each entry must be an email address or @domain");

/** The default sender (an SES identity when SES sends) and the further allowed senders. */
export const SendersEnv = z.object({
  HERALD_EMAIL_FROM: EmailAddress,
  HERALD_EMAIL_SENDERS: env.list().pipe(z.array(Sender)),
});
