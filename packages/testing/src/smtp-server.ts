import type { AddressInfo } from "node:net";
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer, type SMTPServerDataStream, type SMTPServerEnvelope, type SMTPServerError, type SMTPServerOptions, type SMTPServerSession } from "smtp-server";
import type { TestCertificates } from "./certificates";
import { createAuthenticator, replyError, type AuthAttempt, type SessionUser } from "./smtp-auth";

export type { AuthAttempt } from "./smtp-auth";

export type SmtpReply = { code: number; message: string };

export type ReceivedMail = {
  envelope: { from: string; to: string[] };
  /** The message exactly as received (dot-unstuffed, CRLF line ends). */
  raw: Buffer;
  parsed: ParsedMail;
  /** The session was TLS (implicit, or after STARTTLS) when DATA came. */
  secure: boolean;
  user: string | undefined;
  authMethod: string | undefined;
  at: Date;
};

export type SmtpServerOptions = {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** "implicit" is TLS from the first byte (SMTPS); "starttls" starts in cleartext. */
  tls: "starttls" | "implicit" | "none";
  /** Required unless `tls` is "none". */
  certificates?: TestCertificates;
  /**
   * Default true. False: STARTTLS is neither advertised nor accepted, as behind a downgrading
   * middlebox, so a client that requires TLS cannot get it. (Only hiding it is no test: nodemailer
   * with requireTLS sends STARTTLS whether or not EHLO listed it.)
   */
  offerStartTls?: boolean;
  /** Without it the server is an open relay and offers no AUTH. */
  auth?: {
    /** AUTH PLAIN and LOGIN: user → password. */
    users?: Record<string, string>;
    /** AUTH XOAUTH2; a throw answers 454 (temporary), false refuses. */
    verifyToken?: (user: string, accessToken: string) => boolean | Promise<boolean>;
  };
  /** SIZE limit in bytes, advertised in EHLO; a larger message gets 552. */
  size?: number;
};

export type SmtpConnectionCounts = { readonly opened: number; readonly closed: number; readonly open: number };
export type SmtpFailurePhase = "mail" | "rcpt" | "data";

export type SmtpTestServer = {
  host: string;
  port: number;
  messages: ReceivedMail[];
  /** Every message received so far once there are at least `count` (default timeout 5 s). */
  waitForMessages(count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  /** Never holds a password or a token. */
  authAttempts: AuthAttempt[];
  connections: SmtpConnectionCounts;
  /** Rotates (or adds) a PLAIN/LOGIN user's password; sessions already authenticated stay so. */
  setPassword(user: string, password: string): void;
  /**
   * The next `times` transactions get `reply` at `phase` (default "data"): {code: 451} is
   * temporary, {code: 550} permanent. At "rcpt" every recipient of such a transaction is refused.
   */
  failNext(times: number, reply: { code: number; message?: string }, phase?: SmtpFailurePhase): void;
  /** Closes the listener and the open sessions (421 first); resolves within 1.5 s whatever the clients do. */
  stop(): Promise<void>;
};

const DEFAULT_WAIT_MS = 5_000;
// smtp-server's own backstop in close(): sessions still open then get 421 and are closed.
const CLOSE_TIMEOUT_MS = 1_000;
// Long enough for the 421 to reach the client before its socket is destroyed.
const CLOSE_GRACE_MS = 50;
const STOP_DEADLINE_MS = CLOSE_TIMEOUT_MS + 500;

/**
 * A real SMTP server (smtp-server) on loopback for the SMTP transport's tests and for trying
 * Herald by hand. It keeps every accepted message with its envelope, parsed by mailparser.
 */
export async function startSmtpServer(options: SmtpServerOptions): Promise<SmtpTestServer> {
  const host = options.host ?? "127.0.0.1";
  const { tls, certificates, auth } = options;
  if (tls !== "none" && !certificates) throw new Error(`smtp: tls "${tls}" needs certificates (makeTestCertificates())`);
  const users = auth?.users ? new Map(Object.entries(auth.users)) : undefined;
  const verifyToken = auth?.verifyToken;
  const authMethods = [...(users ? ["PLAIN", "LOGIN"] : []), ...(verifyToken ? ["XOAUTH2"] : [])];
  if (auth && authMethods.length === 0) throw new Error("smtp: auth needs users or verifyToken");
  const offerStartTls = options.offerStartTls ?? true;
  const disabledCommands = [...(auth ? [] : ["AUTH"]), ...(tls === "none" || !offerStartTls ? ["STARTTLS"] : [])];

  const messages: ReceivedMail[] = [];
  const authAttempts: AuthAttempt[] = [];
  const waiters = new Set<() => void>();
  const live = new Set<string>();
  const counts = { opened: 0, closed: 0 };
  let onDrained: (() => void) | undefined;
  let failure = { remaining: 0, reply: { code: 451, message: "" }, phase: "data" as SmtpFailurePhase };
  // A refused transaction refuses all its recipients: the envelope object is new for each one.
  const failingEnvelopes = new WeakSet<SMTPServerEnvelope>();

  function takeFailure(phase: SmtpFailurePhase): SMTPServerError | undefined {
    if (failure.phase !== phase || failure.remaining <= 0) return undefined;
    failure.remaining -= 1;
    return replyError(failure.reply.code, failure.reply.message);
  }

  function receive(stream: SMTPServerDataStream, session: SMTPServerSession, callback: (err?: Error | null) => void) {
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.once("error", (error) => callback(error));
    stream.once("end", () => {
      if (stream.sizeExceeded) return callback(replyError(552, "Error: message exceeds fixed maximum message size"));
      const injected = takeFailure("data");
      if (injected) return callback(injected);
      const raw = Buffer.concat(chunks);
      const { mailFrom, rcptTo } = session.envelope;
      const user = session.user as SessionUser | undefined;
      simpleParser(raw).then(
        (parsed) => {
          messages.push({
            envelope: { from: mailFrom ? mailFrom.address : "", to: rcptTo.map((rcpt) => rcpt.address) },
            raw,
            parsed,
            secure: session.secure,
            user: user ? user.name : undefined,
            authMethod: user ? user.method : undefined,
            at: new Date(),
          });
          for (const wake of waiters) wake();
          callback();
        },
        () => callback(replyError(451, "Error: message could not be parsed")),
      );
    });
  }

  const serverOptions: SMTPServerOptions = {
    secure: tls === "implicit",
    ...(certificates && { key: certificates.keyPem, cert: certificates.certPem }),
    name: "localhost",
    banner: "herald test smtp",
    logger: false,
    disableReverseLookup: true,
    disabledCommands,
    authMethods,
    authOptional: !auth,
    // Only meaningful without TLS; over "starttls" authenticate() still insists on it.
    allowInsecureAuth: tls === "none",
    closeTimeout: CLOSE_TIMEOUT_MS,
    ...(options.size !== undefined && { size: options.size, rejectOversized: true }),
    onConnect: (session, callback) => {
      counts.opened += 1;
      live.add(session.id);
      callback();
    },
    onClose: (session) => {
      if (live.delete(session.id)) counts.closed += 1;
      if (live.size === 0) onDrained?.();
    },
    onAuth: createAuthenticator({ requireTls: tls !== "none", users, verifyToken, attempts: authAttempts }),
    onMailFrom: (_address, _session, callback) => callback(takeFailure("mail")),
    onRcptTo: (_address, session, callback) => {
      if (failingEnvelopes.has(session.envelope)) return callback(replyError(failure.reply.code, failure.reply.message));
      const injected = takeFailure("rcpt");
      if (injected) failingEnvelopes.add(session.envelope);
      callback(injected);
    },
    onData: receive,
  };
  const server = new SMTPServer(serverOptions);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  // A client that goes away rudely is no failure of the server; without a listener it would throw.
  server.on("error", () => undefined);
  const { port } = server.server.address() as AddressInfo;

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= new Promise<void>((resolve) => {
      // Done when the listener is closed and every session has been through onClose, so the counts
      // are final; the deadline is for a session that somehow never closes.
      let pending = 2;
      const deadline = setTimeout(resolve, STOP_DEADLINE_MS);
      const done = () => {
        pending -= 1;
        if (pending > 0) return;
        clearTimeout(deadline);
        resolve();
      };
      onDrained = () => {
        onDrained = undefined;
        done();
      };
      if (live.size === 0) onDrained();
      server.close(done);
      for (const connection of server.connections) {
        // Mid-STARTTLS the TLS socket sits on top of `_socket`, and destroying it from below crashes
        // Node: leave that one to close() and smtp-server's own timers.
        const socket = connection._upgrading ? undefined : connection._socket;
        connection.send(421, "Server shutting down");
        connection.close();
        if (socket) setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref();
      }
    });
    return stopping;
  };

  return {
    host,
    port,
    messages,
    authAttempts,
    connections: {
      get opened() {
        return counts.opened;
      },
      get closed() {
        return counts.closed;
      },
      get open() {
        return counts.opened - counts.closed;
      },
    },
    waitForMessages: (count, timeoutMs = DEFAULT_WAIT_MS) =>
      new Promise<ReceivedMail[]>((resolve, reject) => {
        const check = () => {
          if (messages.length < count) return;
          finish();
          resolve([...messages]);
        };
        const timer = setTimeout(() => {
          finish();
          reject(new Error(`smtp: expected ${count} message(s) within ${timeoutMs} ms, received ${messages.length}`));
        }, timeoutMs);
        const finish = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      }),
    setPassword: (user, password) => {
      if (!users) throw new Error("smtp: setPassword needs a server started with auth.users");
      users.set(user, password);
    },
    failNext: (times, reply, phase = "data") => {
      if (!Number.isInteger(times) || times < 0) throw new RangeError("times must be a non-negative integer");
      if (!Number.isInteger(reply.code) || reply.code < 400 || reply.code > 599) throw new RangeError("code must be a 4xx or 5xx SMTP reply code");
      const message = reply.message ?? (reply.code < 500 ? "Error: temporary failure, try again later" : "Error: refused");
      failure = { remaining: times, reply: { code: reply.code, message }, phase };
    },
    stop,
  };
}
