/**
 * `npm run smtp -w @herald/testing`: a local SMTP relay to try Herald's SMTP transport by hand.
 * STARTTLS with a fresh test CA, AUTH as `herald` with a random password, on
 * HERALD_DEV_SMTP_PORT (default 2587). Prints the settings to give Herald, then one line per
 * message received (never a body), and stops on Ctrl-C or SIGTERM.
 */
import { randomBytes } from "node:crypto";
import { makeTestCertificates } from "./certificates";
import { startSmtpServer, type ReceivedMail } from "./smtp-server";

const DEFAULT_PORT = 2587;
const USER = "herald";
const say = (line: string) => process.stdout.write(`${line}\n`);

function portFrom(value: string | undefined): number {
  if (value === undefined || value.trim() === "") return DEFAULT_PORT;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    process.stderr.write(`smtp: HERALD_DEV_SMTP_PORT must be a port number (1-65535), got "${value}"\n`);
    process.exit(1);
  }
  return port;
}

/** From, recipient count, subject and size: enough to see what arrived, nothing of the content. */
function describe(mail: ReceivedMail): string {
  const subject = JSON.stringify(mail.parsed.subject ?? "");
  const tls = mail.secure ? "tls" : "cleartext";
  return `${mail.at.toISOString()} from=${mail.envelope.from} recipients=${mail.envelope.to.length} subject=${subject} size=${mail.raw.length} ${tls}`;
}

const password = randomBytes(18).toString("base64url");
const certificates = await makeTestCertificates();
const server = await startSmtpServer({
  port: portFrom(process.env.HERALD_DEV_SMTP_PORT),
  tls: "starttls",
  certificates,
  auth: { users: { [USER]: password } },
});

say(`SMTP server (STARTTLS, AUTH PLAIN/LOGIN) running at ${server.host}:${server.port}`);
say("");
say("Start Herald with it:");
say(
  `  HERALD_SMTP_HOST=${server.host} HERALD_SMTP_PORT=${server.port} HERALD_SMTP_CA_FILE=${certificates.caFile} HERALD_SMTP_USER=${USER} HERALD_SMTP_PASSWORD=${password} npm start`,
);
say("");
say("Messages received (Ctrl-C stops it):");

// The server pushes onto `messages`; polling it keeps the server free of a hook only this script needs.
let printed = 0;
const poll = setInterval(() => {
  for (const mail of server.messages.slice(printed)) say(`  ${describe(mail)}`);
  printed = server.messages.length;
}, 250);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    clearInterval(poll);
    void server.stop().finally(() => process.exit(0));
  });
}
