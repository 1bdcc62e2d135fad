import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PermanentError, TransientError } from "@herald/platform";
import { TwilioSmsSender } from "../../src/adapters/twilio-sms-sender";

const SID = `AC${"a".repeat(32)}`;
const TOKEN = "twilio-test-token";
const NUMBER = "+447911123456";

type Seen = { method: string; path: string; auth: string; type: string; form: URLSearchParams };
type Answer = { status: number; body?: unknown; hang?: boolean };

/** A local stand-in for api.twilio.com: records each request and answers as Twilio documents. */
let server: Server;
let baseUrl: string;
const seen: Seen[] = [];
let answer: Answer = { status: 201 };

beforeAll(async () => {
  server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    let raw = "";
    for await (const chunk of req) raw += chunk;
    seen.push({ method: req.method ?? "", path: req.url ?? "", auth: req.headers.authorization ?? "", type: req.headers["content-type"] ?? "", form: new URLSearchParams(raw) });
    if (answer.hang) return; // never answers: the client's timeout must fire
    const body = answer.body ?? {
      sid: `SM${"0".repeat(31)}1`,
      account_sid: SID,
      to: new URLSearchParams(raw).get("To"),
      from: new URLSearchParams(raw).get("From"),
      body: new URLSearchParams(raw).get("Body"),
      status: "queued",
      num_segments: "1",
      direction: "outbound-api",
      api_version: "2010-04-01",
      uri: `/2010-04-01/Accounts/${SID}/Messages/SM${"0".repeat(31)}1.json`,
    };
    res.writeHead(answer.status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const twilioError = (status: number, code: number) => ({
  status,
  body: { code, message: `The 'To' number ${NUMBER} is not valid.`, more_info: `https://www.twilio.com/docs/errors/${code}`, status },
});

function aSender(overrides: Partial<ConstructorParameters<typeof TwilioSmsSender>[0]> = {}) {
  return new TwilioSmsSender({ accountSid: SID, authToken: TOKEN, from: "+15005550006", baseUrl, timeoutMs: 500, ...overrides });
}

describe("TwilioSmsSender against a Twilio-shaped server", () => {
  it("posts the form Twilio documents with basic auth and returns the message SID", async () => {
    // Prepare
    answer = { status: 201 };
    seen.length = 0;

    // Act
    const result = await aSender().send({ channel: "sms", to: NUMBER, text: "Your code is 123456" });

    // Assess
    expect(result.providerMessageId).toBe(`SM${"0".repeat(31)}1`);
    expect(seen).toHaveLength(1);
    const request = seen[0];
    expect(request?.method).toBe("POST");
    expect(request?.path).toBe(`/2010-04-01/Accounts/${SID}/Messages.json`);
    expect(request?.auth).toBe(`Basic ${Buffer.from(`${SID}:${TOKEN}`).toString("base64")}`);
    expect(request?.type).toMatch(/^application\/x-www-form-urlencoded/);
    expect(Object.fromEntries(request?.form ?? [])).toEqual({ To: NUMBER, Body: "Your code is 123456", From: "+15005550006" });
  });

  it("sends MessagingServiceSid instead of From when a messaging service is configured", async () => {
    answer = { status: 201 };
    seen.length = 0;
    const service = `MG${"b".repeat(32)}`;
    await aSender({ from: undefined, messagingServiceSid: service }).send({ channel: "sms", to: NUMBER, text: "hi" });
    expect(seen[0]?.form.get("MessagingServiceSid")).toBe(service);
    expect(seen[0]?.form.has("From")).toBe(false);
  });

  const failures: { name: string; answer: Answer; type: typeof PermanentError | typeof TransientError; code: string }[] = [
    { name: "400 / 21211 invalid number", answer: twilioError(400, 21211), type: PermanentError, code: "sms.invalid_number" },
    { name: "400 / 21610 unsubscribed", answer: twilioError(400, 21610), type: PermanentError, code: "sms.unsubscribed" },
    { name: "400 / another code", answer: twilioError(400, 21601), type: PermanentError, code: "sms.rejected" },
    { name: "429 / 20429 too many requests", answer: twilioError(429, 20429), type: TransientError, code: "sms.throttled" },
    { name: "500", answer: { status: 500, body: { code: 20500, message: "Internal Server Error", status: 500 } }, type: TransientError, code: "sms.provider_unavailable" },
    { name: "401 / 20003 bad credentials", answer: twilioError(401, 20003), type: TransientError, code: "sms.provider_auth" },
    { name: "no answer (timeout)", answer: { status: 200, hang: true }, type: TransientError, code: "sms.network" },
  ];

  for (const f of failures) {
    it(`maps ${f.name} to ${f.code}, without the number in the reason`, async () => {
      // Prepare
      answer = f.answer;

      // Act
      const attempt = aSender().send({ channel: "sms", to: NUMBER, text: "hi" });

      // Assess
      const error = await attempt.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(f.type);
      expect(error).toMatchObject({ code: f.code });
      expect((error as Error).message).not.toContain(NUMBER);
    });
  }

  it("answers network errors as transient when nothing listens", async () => {
    const error = await aSender({ baseUrl: "http://127.0.0.1:1" }).send({ channel: "sms", to: NUMBER, text: "hi" }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "sms.network", retryable: true });
  });
});
