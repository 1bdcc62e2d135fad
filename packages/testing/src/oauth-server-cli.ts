/**
 * `npm run oauth -w @herald/testing`: a local OAuth 2.0 server to try Herald's bearer tokens by
 * hand. Listens on HERALD_DEV_OAUTH_PORT (default 9400), prints the settings to give Herald and
 * how to get a token, and stops on Ctrl-C or SIGTERM.
 */
import { startOAuthServer } from "./oauth-server";

const DEFAULT_PORT = 9400;
const say = (line: string) => process.stdout.write(`${line}\n`);

function portFrom(value: string | undefined): number {
  if (value === undefined || value.trim() === "") return DEFAULT_PORT;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    process.stderr.write(`oauth: HERALD_DEV_OAUTH_PORT must be a port number (1-65535), got "${value}"\n`);
    process.exit(1);
  }
  return port;
}

const server = await startOAuthServer({ port: portFrom(process.env.HERALD_DEV_OAUTH_PORT) });

say(`OAuth 2.0 server running at ${server.url}`);
say("");
say("Give Herald these settings:");
say(`  HERALD_OAUTH_INTROSPECTION_URL=${server.introspectionUrl}`);
say(`  HERALD_OAUTH_CLIENT_ID=${server.clientId}`);
say(`  HERALD_OAUTH_CLIENT_SECRET=${server.clientSecret}`);
say(`  HERALD_OAUTH_ISSUER=${server.issuer}`);
say("  HERALD_OAUTH_AUDIENCE=herald");
say("");
say("Get an access token (any client id and secret; the client id is the token's sub unless -d sub=... is given):");
say(
  `  curl -s -u dev:x -d grant_type=client_credentials -d scope="messages:send messages:read" -d tenant=tenant-a -d aud=herald ${server.tokenUrl}`,
);
say("");
say("Ctrl-C stops it.");

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void server.stop().finally(() => process.exit(0));
  });
}
