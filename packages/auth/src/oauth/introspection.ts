import * as oauth from "oauth4webapi";
import { AppError, type Logger } from "@herald/platform";
import type { OAuthSettings } from "./settings";

/** The introspection answer as the provider gave it (RFC 7662 §2.2): `active` and the token's claims. */
export type IntrospectionAnswer = { active: boolean } & Record<string, unknown>;
export type Introspect = (token: string) => Promise<IntrospectionAnswer>;

export type IntrospectorDeps = {
  logger?: Logger;
  /** For tests: how to wait between attempts. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
};

const RETRY_BASE_MS = 100;
const RETRY_CAP_MS = 1000;

/**
 * RFC 7662 token introspection with the service's own client credentials (HTTP Basic), through
 * oauth4webapi, which builds the request and checks the answer's shape. What it leaves to us:
 * a 429, a 5xx, a timeout or a network error is retried with backoff (the provider's Retry-After
 * when it gives one, capped), and anything else that is not a 200 means our own configuration is
 * wrong (a bad client secret), which no retry fixes.
 */
export function createIntrospector(settings: OAuthSettings, deps: IntrospectorDeps = {}): Introspect {
  const url = new URL(settings.introspectionUrl);
  const as: oauth.AuthorizationServer = { issuer: settings.issuer ?? url.origin, introspection_endpoint: url.href };
  const client: oauth.Client = { client_id: settings.clientId };
  const auth = oauth.ClientSecretBasic(settings.clientSecret);
  const insecure = url.protocol === "http:"; // loopback only: settings refuse http elsewhere
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = deps.random ?? Math.random;

  return async (token) => {
    let lastProblem = "";
    let retryAfter: number | undefined;
    for (let attempt = 0; attempt <= settings.retries; attempt += 1) {
      if (attempt > 0) {
        const backoff = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** (attempt - 1));
        const wait = retryAfter !== undefined ? Math.min(RETRY_CAP_MS, retryAfter * 1000) : backoff / 2 + random() * (backoff / 2);
        await sleep(wait);
      }
      let response: Response;
      try {
        response = await oauth.introspectionRequest(as, client, auth, token, {
          signal: AbortSignal.timeout(settings.timeoutMs),
          [oauth.allowInsecureRequests]: insecure,
          additionalParameters: { token_type_hint: "access_token" },
        });
      } catch (error) {
        lastProblem = error instanceof Error && error.name === "TimeoutError" ? "timeout" : "network error";
        retryAfter = undefined;
        deps.logger?.warn("introspection attempt failed", { attempt, problem: lastProblem });
        continue;
      }
      if (response.status === 429 || response.status >= 500) {
        lastProblem = `HTTP ${response.status}`;
        retryAfter = retryAfterSeconds(response.headers.get("retry-after"));
        await response.body?.cancel();
        deps.logger?.warn("introspection attempt failed", { attempt, problem: lastProblem });
        continue;
      }
      try {
        return (await oauth.processIntrospectionResponse(as, client, response)) as IntrospectionAnswer;
      } catch (error) {
        deps.logger?.error("introspection refused", { status: response.status, problem: describe(error) });
        throw new AppError("auth.introspection_failed", "Token introspection failed: check the OAuth client settings", {
          status: 500,
          cause: error,
        });
      }
    }
    const seconds = Math.max(1, Math.min(60, retryAfter ?? 1));
    throw new AppError("auth.provider_unavailable", `The identity provider is not answering (${lastProblem}); retry shortly`, {
      status: 503,
      retryable: true,
      headers: { "retry-after": String(seconds) },
    });
  };
}

function retryAfterSeconds(header: string | null): number | undefined {
  if (header === null) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - Date.now()) / 1000);
}

/** Never the body: an error body might echo the token. */
function describe(error: unknown): string {
  if (error instanceof oauth.ResponseBodyError) return `${error.error} (HTTP ${error.status})`;
  if (error instanceof Error) return error.message.slice(0, 200);
  return "unknown";
}
