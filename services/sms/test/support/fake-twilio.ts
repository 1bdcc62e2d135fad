import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

export type TwilioCredentials = { accountSid: string; authToken: string };

/** What reached the server, as Twilio would read it. */
export type TwilioRequest = {
  method: string;
  path: string;
  authorization: string;
  contentType: string;
  form: Record<string, string>;
};

/**
 * How the server answers a well-formed request for one 'To' number: Twilio's error document for
 * `code` (its `message` quotes the number, as Twilio's do), a raw body, or no answer at all.
 */
export type ScriptedAnswer =
  | { kind: "error"; status: number; code: number }
  | { kind: "raw"; status: number; contentType: string; body: string }
  | { kind: "hang" };

export type FakeTwilio = {
  baseUrl: string;
  /** Every request, in order, well-formed or not. */
  requests: TwilioRequest[];
  /** The Message resources it created (201), in order. */
  created: { sid: string; to: string; body: string }[];
  /** Answers requests for this 'To' number so from now on; others get 201 and a new Message. */
  answer(to: string, answer: ScriptedAnswer): void;
  /**
   * Rotates the account's auth token, as promoting the secondary token in Twilio's console does:
   * from now on only this one is accepted, the old one is refused with 20003 at once.
   */
  rotateAuthToken(authToken: string): void;
  /** What the server refused as malformed since the last call (e.g. "authorization"), then forgets it. */
  takeRejections(): string[];
  stop(): Promise<void>;
};

const FORM = "application/x-www-form-urlencoded";

/**
 * A local stand-in for api.twilio.com's "create a Message" endpoint, on 127.0.0.1 and a free
 * port. It checks every request as Twilio does (method, the account's exact path, basic auth
 * with the account SID and auth token, a form body with To, Body and From or
 * MessagingServiceSid) and answers a malformed one with Twilio's error for it, noting why.
 */
export async function startFakeTwilio(credentials: TwilioCredentials): Promise<FakeTwilio> {
  const requests: TwilioRequest[] = [];
  const created: FakeTwilio["created"] = [];
  const answers = new Map<string, ScriptedAnswer>();
  let rejections: string[] = [];
  const path = `/2010-04-01/Accounts/${credentials.accountSid}/Messages.json`;
  const basic = (authToken: string) => `Basic ${Buffer.from(`${credentials.accountSid}:${authToken}`).toString("base64")}`;
  let authorization = basic(credentials.authToken);

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    let raw = "";
    for await (const chunk of req) raw += String(chunk);
    const contentType = req.headers["content-type"] ?? "";
    const form = Object.fromEntries(new URLSearchParams(raw));
    const request: TwilioRequest = {
      method: req.method ?? "",
      path: req.url ?? "",
      authorization: req.headers.authorization ?? "",
      contentType,
      form,
    };
    requests.push(request);

    const refuse = (why: string, status: number, code: number, message: string) => {
      rejections.push(why);
      sendError(res, status, code, message);
    };
    if (request.method !== "POST") return refuse("method", 405, 20004, "Method not allowed");
    if (request.path !== path) return refuse("path", 404, 20404, `The requested resource ${request.path} was not found`);
    if (request.authorization !== authorization) return refuse("authorization", 401, 20003, "Authenticate");
    if (!contentType.startsWith(FORM)) return refuse("content type", 400, 20001, "Unsupported content type");
    if (!form.To) return refuse("To", 400, 21604, "A 'To' phone number is required.");
    if (!form.Body) return refuse("Body", 400, 21602, "Message body is required.");
    if (!form.From && !form.MessagingServiceSid) {
      return refuse("From", 400, 21603, "A 'From' phone number is required.");
    }

    const answer = answers.get(form.To);
    if (answer?.kind === "hang") return; // never answers: the client's timeout must end it
    if (answer?.kind === "raw") {
      res.writeHead(answer.status, { "content-type": answer.contentType });
      res.end(answer.body);
      return;
    }
    if (answer?.kind === "error") {
      return sendError(res, answer.status, answer.code, `The 'To' number ${form.To} is not a valid phone number.`);
    }
    const sid = `SM${randomBytes(16).toString("hex")}`;
    created.push({ sid, to: form.To, body: form.Body });
    sendJson(res, 201, aMessageResource(sid, credentials.accountSid, form));
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (typeof address !== "object" || address === null) throw new Error("the fake Twilio has no port");

  return {
    baseUrl: `http://127.0.0.1:${address.port}`,
    requests,
    created,
    answer: (to, answer) => answers.set(to, answer),
    rotateAuthToken: (authToken) => {
      authorization = basic(authToken);
    },
    takeRejections: () => {
      const taken = rejections;
      rejections = [];
      return taken;
    },
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
  res.end(JSON.stringify(body));
}

/** Twilio's error document: https://www.twilio.com/docs/usage/twilios-response#response-formats-exceptions */
function sendError(res: ServerResponse, status: number, code: number, message: string): void {
  sendJson(res, status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });
}

/** The Message resource Twilio returns from a create, as documented (fields we do not read included). */
function aMessageResource(sid: string, accountSid: string, form: Record<string, string | undefined>) {
  const now = new Date().toUTCString().replace("GMT", "+0000");
  return {
    account_sid: accountSid,
    api_version: "2010-04-01",
    body: form.Body,
    date_created: now,
    date_sent: null,
    date_updated: now,
    direction: "outbound-api",
    error_code: null,
    error_message: null,
    from: form.From ?? null,
    messaging_service_sid: form.MessagingServiceSid ?? null,
    num_media: "0",
    num_segments: "1",
    price: null,
    price_unit: "USD",
    sid,
    status: form.MessagingServiceSid && !form.From ? "accepted" : "queued",
    subresource_uris: { media: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}/Media.json` },
    to: form.To,
    uri: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}.json`,
  };
}
