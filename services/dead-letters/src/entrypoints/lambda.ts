import type { Context } from "aws-lambda";
import { loadConfig } from "../config";
import { buildDeps } from "../deps";
import { sweepDeadLetters } from "../domain/sweep";

const deps = buildDeps(loadConfig());

/** Run on a schedule (infra/dead-letters.ts); stops reading with 10 s of the invocation left. */
export const handler = async (_event: unknown, context: Pick<Context, "getRemainingTimeInMillis">) =>
  sweepDeadLetters(deps, () => context.getRemainingTimeInMillis() > 10_000);
