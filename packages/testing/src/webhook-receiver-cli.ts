/**
 * `npm run webhooks:receive -- whsec_...`: a local webhook receiver to try Herald's webhooks by
 * hand. Listens on http://127.0.0.1:HERALD_DEV_WEBHOOK_PORT (default 4000), verifies each request
 * with the `standardwebhooks` package against the secret(s) given as arguments (the one
 * POST /v1/webhooks returned), and prints one line per request: verified or not, the event type,
 * the message id and status (never anything else of the body). Stops on Ctrl-C or SIGTERM.
 */
import { startWebhookReceiver } from "./webhook-receiver";

const say = (line: string) => process.stdout.write(`${line}\n`);
const raw = process.env.HERALD_DEV_WEBHOOK_PORT;
const port = raw === undefined || raw.trim() === "" ? 4000 : Number(raw);
if (!Number.isInteger(port) || port < 1 || port > 65_535) {
  process.stderr.write(`webhooks: HERALD_DEV_WEBHOOK_PORT must be a port number (1-65535), got "${raw}"\n`);
  process.exit(1);
}
const secrets = process.argv.slice(2).filter((arg) => arg.startsWith("whsec_"));

const receiver = await startWebhookReceiver({
  port,
  secrets,
  onRequest: (r) => {
    const data = r.event?.data ?? {};
    const what = r.verified ? `${r.event?.type} message=${String(data.message_id)} status=${String(data.status)}` : "signature NOT verified";
    say(`${r.at.toISOString()} ${r.headers["webhook-id"] ?? "-"} ${what} → ${r.status}`);
  },
});
say(`webhook receiver on ${receiver.url}/herald`);
say(secrets.length > 0 ? `  verifying with ${secrets.length} secret(s)` : "  no secret given (npm run webhooks:receive -- whsec_...): every request answers 401 and is retried");
say("Ctrl-C stops it.");
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void receiver.stop().then(() => process.exit(0)));
