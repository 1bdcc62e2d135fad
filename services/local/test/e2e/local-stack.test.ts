import { afterAll, afterEach, describe, expect, it } from "vitest";
import { DynamoDBClient, QueryCommand } from "@aws-sdk/client-dynamodb";
import { startAwsProxy, startMoto, type MotoData } from "@herald/testing";
import {
  api,
  cleanUp,
  emulators,
  keysCli,
  proxies,
  run,
  startStack,
  stopEmulators,
  until,
  untilRunning,
  waitFor,
} from "./stack";

afterEach(cleanUp);
afterAll(stopEmulators);

describe("npm start (the local stack)", () => {
  it("sends the email its printed curl posts, shows it sent, and stops cleanly on SIGTERM", async () => {
    // Prepare
    const stack = await startStack();
    const local = await untilRunning(stack);
    const curl = stack.output().split("\n").find((line) => line.trim().startsWith("curl -sS -X POST"));
    expect(curl).toBeDefined();

    // Act: run the printed command as a user would
    const { stdout } = await run("sh", ["-c", curl ?? "false"]);
    const accepted = JSON.parse(stdout) as { id: string; status: string };
    const message = await waitFor("the message to be sent", async () => {
      const response = await fetch(`${local.url}/v1/messages/${accepted.id}`, { headers: { "x-api-key": local.apiKey } });
      const body = (await response.json()) as { status: string; provider_message_id?: string };
      return body.status === "sent" ? body : undefined;
    }, 20_000);

    // Assess
    expect(accepted.status).toBe("queued");
    const data = (await (await fetch(`${local.awsEndpoint}/moto-api/data.json`)).json()) as MotoData;
    const sent = (data.ses?.Message ?? []).filter((m) => m.id === message.provider_message_id);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.destinations.ToAddresses).toEqual(["you@example.com"]);
    expect(sent[0]?.subject).toBe("Hello from Herald");
    expect(sent[0]?.source).toBe("noreply@herald.local");

    // Act: SIGTERM stops every process
    stack.child.kill("SIGTERM");
    expect(await stack.exited).toBe(0);
    expect(stack.output()).toContain("herald: stopped");
    await expect(fetch(`${local.awsEndpoint}/moto-api/data.json`)).rejects.toThrow();
    await expect(fetch(`${local.url}/health`)).rejects.toThrow();
  });

  it("creates, uses and revokes API keys with npm run keys", async () => {
    // Prepare
    const stack = await startStack();
    const local = await untilRunning(stack);
    const post = (key: string) =>
      fetch(`${local.url}/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": key },
        body: JSON.stringify({ channel: "email", to: "ops@example.com", subject: "key test", text: "t" }),
      });

    // Act
    const created = await keysCli(stack, ["create", "--tenant", "t2", "--roles", "messages:send"]);
    const key = created.trim().split("\n").at(-1) ?? "";
    const keyId = /^hk_([0-9a-f]{12})_/.exec(key)?.[1] ?? "";
    const listed = await keysCli(stack, ["list", "--tenant", "t2"]);

    // Assess
    expect(key).toMatch(/^hk_[0-9a-f]{12}_/);
    expect(listed).toContain(keyId);
    expect(listed).not.toContain(key);
    const sent = await post(key);
    expect(sent.status).toBe(202);
    const { id } = (await sent.json()) as { id: string };
    expect((await fetch(`${local.url}/v1/messages/${id}`, { headers: { "x-api-key": key } })).status).toBe(403);

    await keysCli(stack, ["revoke", keyId]);
    expect((await post(key)).status).toBe(401);
    expect((await post(local.apiKey)).status).toBe(202);
  });

  it("uses the emulator AWS_ENDPOINT_URL names, starts none, and provisions idempotently", async () => {
    // Prepare
    const moto = await startMoto();
    emulators.push(moto);
    const env = { AWS_ENDPOINT_URL: moto.endpoint };

    // Act: two starts in a row against the same emulator and state dir
    const first = await startStack(env);
    const firstLocal = await untilRunning(first);
    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    const second = await startStack(env, first.stateDir);
    const secondLocal = await untilRunning(second);

    // Assess
    expect(firstLocal.awsEndpoint).toBe(moto.endpoint);
    expect(second.output()).toContain("(AWS_ENDPOINT_URL)");
    expect(secondLocal.apiKey).toBe(firstLocal.apiKey);
    const data = (await moto.data()) as MotoData & { ses?: { EmailIdentity?: unknown[] } };
    expect(data.ses?.EmailIdentity).toHaveLength(1);
    expect((await fetch(`${secondLocal.url}/health`)).status).toBe(200);
  });

  it("delivers an SMS through SNS and a store_secure email through SES, keeps no plaintext, decrypts and erases", async () => {
    // Prepare
    const stack = await startStack();
    const local = await untilRunning(stack);
    const client = api(local);
    const secret = "Your recovery code is 4711-0815";

    // Act: an SMS and a store_secure email
    const smsId = await client.send({ channel: "sms", to: "+44 7911 123456", text: "Hello from Herald" });
    const emailId = await client.send({ channel: "email", to: "vault@example.com", subject: "Recovery code", text: secret, store_secure: true });
    await until("the SMS to be sent", local, smsId, "sent");
    await until("the secure email to be sent", local, emailId, "sent");
    const decrypted = await waitFor("the content to be sealed", async () => {
      const response = await client.decrypt(emailId);
      return response.status === 200 ? ((await response.json()) as Record<string, unknown>) : undefined;
    });

    // Assess: the SMS reached SNS, the email SES
    const data = (await (await fetch(`${local.awsEndpoint}/moto-api/data.json`)).json()) as MotoData;
    const sms = await client.get(smsId);
    expect(data.sns?.SMS?.find((m) => m.message_id === sms.provider_message_id)).toMatchObject({ phone_number: "+447911123456", message: "Hello from Herald" });
    const email = await client.get(emailId);
    expect(data.ses?.Message?.find((m) => m.id === email.provider_message_id)).toMatchObject({ subject: "Recovery code", body: secret });
    // the raw DynamoDB items (the record, and its content item with the sealed content) hold no
    // plaintext, and GET shows none
    const dynamo = new DynamoDBClient({ endpoint: local.awsEndpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
    const rawItems = async () =>
      (
        await dynamo.send(
          new QueryCommand({ TableName: local.tableName, KeyConditionExpression: "pk = :pk", ExpressionAttributeValues: { ":pk": { S: `MSG#${emailId}` } }, ConsistentRead: true }),
        )
      ).Items ?? [];
    const raw = await rawItems();
    expect(raw.map((item) => item.sk?.S).sort()).toEqual(["CONTENT", "MSG"]);
    expect(JSON.stringify(raw)).not.toContain("4711");
    expect(JSON.stringify(raw)).not.toContain("Recovery code");
    expect(JSON.stringify(raw.find((item) => item.sk?.S === "CONTENT"))).toContain("AES-256-GCM");
    expect(email).not.toHaveProperty("text");
    expect(decrypted).toMatchObject({ id: emailId, channel: "email", subject: "Recovery code", text: secret });

    // a key without messages:decrypt gets 403
    const created = await keysCli(stack, ["create", "--tenant", "local", "--roles", "messages:send,messages:read-all"]);
    const noDecrypt = created.trim().split("\n").at(-1) ?? "";
    expect((await api(local, noDecrypt).decrypt(emailId)).status).toBe(403);

    // erase removes the content: GET says erased, decrypt 410, the raw item holds no ciphertext
    const erased = await client.erase("vault@example.com");
    expect(erased.status).toBe(200);
    expect(await erased.json()).toMatchObject({ erased: 1 });
    expect(await client.get(emailId)).toMatchObject({ erased: true });
    expect((await client.decrypt(emailId)).status).toBe(410);
    expect((await rawItems()).map((item) => item.sk?.S)).toEqual(["MSG"]);

    // no service ever logged the content, a full address or number, or a key
    const serviceLines = stack.output().split("\n").filter((line) => /^\[(ingest|email|sms|secure-store)\] /.test(line));
    expect(serviceLines.length).toBeGreaterThan(10);
    for (const needle of ["4711-0815", "Recovery code", "vault@example.com", "Hello from Herald", "+447911123456", local.apiKey, noDecrypt]) {
      expect(serviceLines.filter((line) => line.includes(needle)), needle).toEqual([]);
    }
  });

  it("seals 100 store_secure messages with at most 5 KMS calls", async () => {
    // Prepare: every AWS call of the stack goes through a counting proxy
    const moto = await startMoto();
    emulators.push(moto);
    const proxy = await startAwsProxy({ target: moto.endpoint });
    proxies.push(proxy);
    const stack = await startStack({ AWS_ENDPOINT_URL: proxy.endpoint });
    const local = await untilRunning(stack);
    const client = api(local);
    proxy.counts.clear();

    // Act
    const ids: string[] = [];
    for (let i = 0; i < 100; i++) ids.push(await client.send({ channel: "sms", to: "+14155552671", text: `code ${i}`, store_secure: true }));
    for (const id of ids) {
      await waitFor("sealed", async () => ((await client.decrypt(id)).status === 200 ? true : undefined), 30_000);
    }

    // Assess
    const kms = [...proxy.counts].filter(([op]) => op.startsWith("KMS.")).reduce((n, [, c]) => n + c, 0);
    process.stdout.write(`KMS calls for 100 store_secure messages (seal + decrypt): ${kms} ${JSON.stringify(Object.fromEntries([...proxy.counts].filter(([op]) => op.startsWith("KMS."))))}\n`);
    expect(kms).toBeLessThanOrEqual(5);
  });
});
