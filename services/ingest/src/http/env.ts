import type { Identity } from "@herald/contracts";

import type { QueuedFields } from "../domain/accept-message";

/** `logFields`: what a route adds to the request's access line (app.ts). */
export type AppEnv = { Variables: { identity: Identity; logFields?: QueuedFields } };
