import { Problem } from "@herald/contracts";

export const problem = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: Problem } },
});

export const security: Record<string, string[]>[] = [{ ApiKey: [] }, { Bearer: [] }];
