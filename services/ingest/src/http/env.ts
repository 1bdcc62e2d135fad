import type { Identity } from "@herald/contracts";

export type AppEnv = { Variables: { identity: Identity } };
