import * as oauth from "oauth4webapi";
import { AppError, valueAfterRefusal, type Logger, type Secret } from "@herald/platform";
import type { IntrospectionAnswer } from "./claims";
import type { OAuthSettings } from "./settings";

export type Introspect = (token: string) => Promise<IntrospectionAnswer>;

/** What introspection needs of the settings; the client secret comes as a Secret in the deps. */
export type IntrospectionSettings = Pick<OAuthSettings, "introspectionUrl" | "clientId" | "issuer" | "timeoutMs" | "retries">;

export type IntrospectorDeps = {
  /**
   * The client secret, read per introspection (cached by the Secret), so a rotated secret needs
   * no restart: build it once per process with createSecrets from `OAuthSettings.clientSecret`.
   */
  clientSecret: Secret;
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
 * - a 429, a 5xx, a timeout or a network error is retried with backoff (the provider's
 *   Retry-After when it gives one, capped), then answered 503 auth.provider_unavailable;
 * - a 401 (invalid_client) may mean the client secret was just rotated at the provider: the
 *   secret is read again and, if it changed, the request is made once more with it (this retry
 *   does not count against `retries`: the provider did answer);
 * - anything else that is not a 200, or a 401 the secret read again does not cure, means our own
 *   configuration is wrong, which no retry fixes: 500 auth.introspection_failed;
 * - a secret that cannot be read (Secrets Manager unreachable, access denied, no value) makes the
 *   check impossible for now: 503 auth.client_secret_unavailable, retryable.
 */
export function createIntrospector(settings: IntrospectionSettings, deps: IntrospectorDeps): Introspect {
  const url = new URL(settings.introspectionUrl);
  const as: oauth.AuthorizationServer = { issuer: settings.issuer ?? url.origin, introspection_endpoint: url.href };
  const client: oauth.Client = { client_id: settings.clientId };
  const insecure = url.protocol === "http:"; // loopback only: settings refuse http elsewhere
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = deps.random ?? Math.random;
  const secret = deps.clientSecret;

  /** The secret's value; its read failure (a TransientError naming the secret) becomes a 503 that does not. */
  const read = async <T>(how: () => Promise<T>): Promise<T> => {
    try {
      return await how();
    } catch (error) {
      const code = error instanceof AppError ? error.code : "unknown";
      deps.logger?.error("oauth client secret unavailable", { secret: secret.source, code });
      // The caller sees neither the secret's name nor its ARN: they are ours to know.
      throw new AppError("auth.client_secret_unavailable", "The identity check cannot be done right now; retry shortly", {
        status: 503,
        retryable: true,
        cause: error,
        headers: { "retry-after": "1" },
      });
    }
  };

  /** The secret to retry with after the provider refused `refused` (see valueAfterRefusal), or undefined. */
  const secretAfterRefusal = (refused: string): Promise<string | undefined> => {
    deps.logger?.warn("introspection client secret refused; reading it again", { secret: secret.source });
    return read(() => valueAfterRefusal(secret, refused));
  };

  /** One request: the provider's answer, or what kept it from answering. */
  const request = async (token: string, clientSecret: string): Promise<Response | "timeout" | "network error"> => {
    try {
      return await oauth.introspectionRequest(as, client, oauth.ClientSecretBasic(clientSecret), token, {
        signal: AbortSignal.timeout(settings.timeoutMs),
        [oauth.allowInsecureRequests]: insecure,
        additionalParameters: { token_type_hint: "access_token" },
      });
    } catch (error) {
      return error instanceof Error && error.name === "TimeoutError" ? "timeout" : "network error";
    }
  };

  return async (token) => {
    let clientSecret = await read(() => secret.value());
    let reread = false;
    let failures = 0;
    let lastProblem = "";
    let retryAfter: number | undefined;
    for (let attempt = 0; ; attempt += 1) {
      const outcome = await request(token, clientSecret);
      if (typeof outcome === "string") {
        lastProblem = outcome;
        retryAfter = undefined;
      } else if (outcome.status === 429 || outcome.status >= 500) {
        lastProblem = `HTTP ${outcome.status}`;
        retryAfter = retryAfterSeconds(outcome.headers.get("retry-after"));
        await outcome.body?.cancel();
      } else {
        if (outcome.status === 401 && !reread) {
          reread = true;
          const fresh = await secretAfterRefusal(clientSecret);
          if (fresh !== undefined) {
            await outcome.body?.cancel();
            clientSecret = fresh;
            continue;
          }
        }
        return answerOf(outcome);
      }
      deps.logger?.warn("introspection attempt failed", { attempt, problem: lastProblem });
      failures += 1;
      if (failures > settings.retries) break;
      const backoff = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** (failures - 1));
      await sleep(retryAfter !== undefined ? Math.min(RETRY_CAP_MS, retryAfter * 1000) : backoff / 2 + random() * (backoff / 2));
    }
    const seconds = Math.max(1, Math.min(60, retryAfter ?? 1));
    throw new AppError("auth.provider_unavailable", `The identity provider is not answering (${lastProblem}); retry shortly`, {
      status: 503,
      retryable: true,
      headers: { "retry-after": String(seconds) },
    });
  };

  async function answerOf(response: Response): Promise<IntrospectionAnswer> {
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
