import { Problem } from "@herald/contracts";

export const problem = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: Problem } },
});

export const security: Record<string, string[]>[] = [{ ApiKey: [] }, { Bearer: [] }];

/** What every authenticated route may answer besides its own outcomes. */
export const authResponses = {
  401: problem("No, an unknown, revoked, expired or inactive credential (WWW-Authenticate says which)"),
  429: problem("Too many requests from this principal; Retry-After says when to retry"),
  503: problem("The identity provider is not answering; Retry-After says when to retry"),
};
