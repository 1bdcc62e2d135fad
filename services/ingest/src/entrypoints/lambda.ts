import { handle } from "hono/aws-lambda";
import { createApp } from "../app";
import { loadConfig } from "../config";
import { buildDeps } from "../deps";

// Module scope: built once per Lambda container, reused by every invocation.
const app = createApp(buildDeps(loadConfig()));

export const handler = handle(app);
