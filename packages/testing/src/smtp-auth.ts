import type { SMTPServerAuthentication, SMTPServerAuthenticationResponse, SMTPServerError, SMTPServerSession } from "smtp-server";
import { safeEqual } from "./safe-equal";

/** Internal to the test SMTP server: who may log in, and what each attempt was told. */

export type AuthAttempt = { method: string; user: string; accepted: boolean; at: Date };
/** What a session's `user` holds once it has logged in. */
export type SessionUser = { name: string; method: string };
type AuthCallback = (err: Error | null | undefined, response?: SMTPServerAuthenticationResponse) => void;

export type AuthenticatorOptions = {
  /** False for a server without TLS, where cleartext AUTH is all there is. */
  requireTls: boolean;
  users: Map<string, string> | undefined;
  verifyToken: ((user: string, accessToken: string) => boolean | Promise<boolean>) | undefined;
  attempts: AuthAttempt[];
};

/** smtp-server's onAuth. Records every attempt, never a password or a token. */
export function createAuthenticator(options: AuthenticatorOptions) {
  const { requireTls, users, verifyToken, attempts } = options;
  const record = (method: string, user: string, accepted: boolean) => attempts.push({ method, user, accepted, at: new Date() });
  const loggedIn = (name: string, method: string): SMTPServerAuthenticationResponse => ({ user: { name, method } satisfies SessionUser });

  async function authenticate(request: SMTPServerAuthentication, session: SMTPServerSession, callback: AuthCallback): Promise<void> {
    const { method, username = "" } = request;
    // smtp-server only enforces TLS before AUTH while it offers STARTTLS; with it off, we do.
    if (requireTls && !session.secure) {
      record(method, username, false);
      return callback(replyError(538, "Error: Must issue a STARTTLS command first"));
    }
    if (method === "XOAUTH2" && verifyToken) {
      let accepted: boolean;
      try {
        accepted = (await verifyToken(username, request.accessToken ?? "")) === true;
      } catch {
        record(method, username, false);
        return callback(replyError(454, "Error: temporary authentication failure"));
      }
      record(method, username, accepted);
      if (accepted) return callback(null, loggedIn(username, method));
      // RFC 7628 §3.2.2 as Gmail does it: `334 <base64 of this JSON>`, the client answers an empty
      // line, then smtp-server sends `535 Error: Username and Password not accepted`.
      return callback(null, { data: { status: "401", schemes: "bearer", scope: "https://mail.example/" } });
    }
    const expected = users?.get(username);
    const accepted = expected !== undefined && safeEqual(request.password ?? "", expected);
    record(method, username, accepted);
    if (accepted) return callback(null, loggedIn(username, method));
    callback(replyError(535, "Error: Authentication credentials invalid"));
  }

  return (request: SMTPServerAuthentication, session: SMTPServerSession, callback: AuthCallback): void => {
    authenticate(request, session, callback).catch(() => callback(replyError(454, "Error: temporary authentication failure")));
  };
}

/** smtp-server answers a handler's error with its `responseCode`, so the client sees exactly this code. */
export function replyError(code: number, message: string): SMTPServerError {
  const error: SMTPServerError = new Error(message);
  error.responseCode = code;
  return error;
}
