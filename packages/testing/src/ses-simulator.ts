import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { AwsClientConfig } from "./provision";
import { sesEvent, snsWrapped, type SesEventOptions, type SesEventType } from "./ses-events";

/*
 * The local stack's SES mailbox simulator (never on a production path: `npm start` puts it in
 * front of the emulator's SES v2 only, through AWS_ENDPOINT_URL_SESV2). It passes every call on
 * to the emulator and, for a send the emulator accepted, answers as SES's mailbox simulator
 * does: a moment later, for each simulator recipient, the event SES would publish, in SES's shape
 * and SNS's envelope, on the events queue. Other recipients get no event (the emulator delivers
 * nothing), so their messages stay `sent`.
 */
const SIMULATOR: Record<string, { type: SesEventType; bounceType?: "Permanent"; bounceSubType?: string }> = {
  "success@simulator.amazonses.com": { type: "Delivery" },
  "ooto@simulator.amazonses.com": { type: "Delivery" },
  "bounce@simulator.amazonses.com": { type: "Bounce", bounceType: "Permanent", bounceSubType: "General" },
  "complaint@simulator.amazonses.com": { type: "Complaint" },
  "suppressionlist@simulator.amazonses.com": { type: "Bounce", bounceType: "Permanent", bounceSubType: "OnAccountSuppressionList" },
};

export const SIMULATOR_ADDRESSES = Object.keys(SIMULATOR);

export type SesSimulator = { endpoint: string; stop(): Promise<void> };

type SendEmailBody = {
  FromEmailAddress?: string;
  Destination?: { ToAddresses?: string[]; CcAddresses?: string[]; BccAddresses?: string[] };
  EmailTags?: { Name: string; Value: string }[];
  ConfigurationSetName?: string;
};

export async function startSesSimulator(options: {
  /** The emulator the calls go on to. */
  target: string;
  eventsQueueUrl: string;
  client?: AwsClientConfig;
  /** How long after the send its events are published (SES: seconds; here a moment). */
  delayMs?: number;
  onError?: (error: unknown) => void;
}): Promise<SesSimulator> {
  const target = new URL(options.target);
  const sqs = new SQSClient(options.client ?? {});
  const pending = new Set<NodeJS.Timeout>();

  const publish = (body: SendEmailBody, sesMessageId: string) => {
    const recipients = [...(body.Destination?.ToAddresses ?? []), ...(body.Destination?.CcAddresses ?? []), ...(body.Destination?.BccAddresses ?? [])]
      .map((a) => a.replace(/^.*<([^>]+)>\s*$/, "$1").trim().toLowerCase())
      .filter((a) => a in SIMULATOR);
    const tag = body.EmailTags?.find((t) => t.Name === "herald_message_id")?.Value;
    const groups = new Map<string, { spec: (typeof SIMULATOR)[string]; recipients: string[] }>();
    for (const r of recipients) {
      const spec = SIMULATOR[r];
      if (!spec) continue;
      const key = `${spec.type}/${spec.bounceSubType ?? ""}`;
      groups.set(key, { spec, recipients: [...(groups.get(key)?.recipients ?? []), r] });
    }
    for (const { spec, recipients: list } of groups.values()) {
      const event: SesEventOptions = {
        recipients: list,
        sesMessageId,
        ...(tag !== undefined && { heraldMessageId: tag }),
        ...(body.FromEmailAddress !== undefined && { source: body.FromEmailAddress }),
        ...(body.ConfigurationSetName !== undefined && { configurationSet: body.ConfigurationSetName }),
        ...(spec.bounceType && { bounceType: spec.bounceType }),
        ...(spec.bounceSubType && { bounceSubType: spec.bounceSubType }),
      };
      const timer = setTimeout(() => {
        pending.delete(timer);
        sqs
          .send(new SendMessageCommand({ QueueUrl: options.eventsQueueUrl, MessageBody: JSON.stringify(snsWrapped(sesEvent(spec.type, { ...event, at: new Date() }))) }))
          .catch((error: unknown) => options.onError?.(error));
      }, options.delayMs ?? 500);
      pending.add(timer);
    }
  };

  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of req) chunks.push(chunk as Buffer);
    } catch {
      res.destroy();
      return;
    }
    const body = Buffer.concat(chunks);
    const isSend = req.method === "POST" && (req.url ?? "").split("?")[0] === "/v2/email/outbound-emails";
    const upstream = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      const out: Buffer[] = [];
      answer.on("data", (c: Buffer) => out.push(c));
      answer.on("end", () => {
        const reply = Buffer.concat(out);
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        res.end(reply);
        if (!isSend || answer.statusCode !== 200) return;
        try {
          const id = (JSON.parse(reply.toString("utf8")) as { MessageId?: string }).MessageId;
          if (id) publish(JSON.parse(body.toString("utf8")) as SendEmailBody, id);
        } catch (error) {
          options.onError?.(error);
        }
      });
    });
    upstream.on("error", () => {
      res.writeHead(502);
      res.end();
    });
    upstream.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const t of pending) clearTimeout(t);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
