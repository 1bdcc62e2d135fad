import type { APIGatewayRequestAuthorizerEventV2 } from "aws-lambda";
import { authorize } from "../domain/authorize";
import { loadConfig } from "../config";
import { buildDeps } from "../deps";

// Module scope: one token cache per container, reused by every invocation.
const deps = await buildDeps(loadConfig());

export const handler = (event: APIGatewayRequestAuthorizerEventV2) => authorize(event, deps);
