/**
 * The local stack as `npm start` runs it (services/local/src/start.ts: the ingest server and
 * every consumer as its own process), against moto behind the counting proxy of
 * packages/testing. Every call the stack makes is logged at the wire with what it touched (the
 * DynamoDB partition, the SQS queue), and, while `capacity` is on, with the DynamoDB capacity it
 * costs (lib/capacity.ts). The bench's own look-ups (waiting for a message to be `sent` or
 * `delivered`, reading the table's stream) and its puts (an SES event on the events queue, as SNS
 * delivers it on AWS) go to moto directly, never through the proxy, so none of them is counted.
 * `npm start` runs the events worker too (services/events), so the events path is the real one.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startAwsProxy, startMoto, stopChild, type AwsProxy, type Emulator } from "@herald/testing";
import { capacityInspector, partitionOf, rawDynamo, type CapacityEntry } from "./capacity";
import { readStream, sendToQueue, type StreamRecord } from "./raw-aws";
import { REPO_ROOT, sleep } from "./util";

/** One AWS call at the wire: when it reached the proxy and when its answer went back (performance.now()). */
export type Call = { at: number; end?: number; operation: string; target: string; capacity?: CapacityEntry };

export type Stack = {
  url: string;
  apiKey: string;
  tableName: string;
  /** The queue SES's events reach through SNS (services/events consumes it). */
  eventsQueueUrl: string;
  moto: Emulator;
  proxy: AwsProxy;
  /** Every call since the last `reset()`. */
  calls: Call[];
  reset(): void;
  /** DynamoDB capacity accounting on or off (it reads each written item twice: slower). */
  capacity(on: boolean): void;
  /** Waits until each message is final; returns its records' `sent` time (epoch ms) by id. */
  waitSent(ids: string[], timeoutMs?: number): Promise<Map<string, number>>;
  /** Waits until each message has the status; returns when its record got it (epoch ms) by id. */
  waitStatus(ids: string[], status: string, timeoutMs?: number): Promise<Map<string, number>>;
  /** Puts a message on the events queue, as SNS delivers SES's events to it on AWS (not counted). */
  putEvent(body: string): Promise<void>;
  /** Every record of the table's stream so far (read from moto directly, not counted). */
  stream(): Promise<StreamRecord[]>;
  stop(): Promise<void>;
};

/** What a call touched: the DynamoDB partition kind (MSG#, APIKEY, ...) or the SQS queue's name. */
function targetOf(operation: string, text: string): string {
  try {
    const body = JSON.parse(text || "{}") as Record<string, unknown>;
    if (operation.startsWith("SQS.")) return String(body.QueueUrl ?? "").split("/").pop() ?? "";
    if (operation.startsWith("DynamoDB.")) {
      if (body.Key) return partitionOf(body.Key as never);
      if (body.Item) return partitionOf(body.Item as never);
      const pk = (body.ExpressionAttributeValues as Record<string, never> | undefined)?.[":pk"];
      if (pk) return partitionOf({ pk });
      if (body.RequestItems) {
        const first = Object.values(body.RequestItems as Record<string, unknown>)[0];
        const request = Array.isArray(first) ? (first[0] as { PutRequest?: { Item: never }; DeleteRequest?: { Key: never } }) : undefined;
        if (request) return partitionOf(request.PutRequest?.Item ?? request.DeleteRequest?.Key);
        const keys = (first as { Keys?: never[] } | undefined)?.Keys;
        if (keys?.[0]) return partitionOf(keys[0]);
      }
    }
  } catch {
    // not JSON (SES v2 is REST): no target
  }
  return "";
}

export async function startStack(extraEnv: Record<string, string> = {}): Promise<Stack> {
  const moto = await startMoto();
  const calls: Call[] = [];
  let capacityOn = false;
  const proxy = await startAwsProxy({
    target: moto.endpoint,
    inspect: async (operation, body) => {
      if (operation.startsWith("GET /moto-api") || operation.startsWith("POST /moto-api")) return undefined;
      const call: Call = { at: performance.now(), operation, target: targetOf(operation, body) };
      calls.push(call);
      // a batch call reports one entry per item: the call costs their sum
      const sink = (entry: CapacityEntry) =>
        (call.capacity = call.capacity
          ? { ...entry, wru: call.capacity.wru + entry.wru, rru: call.capacity.rru + entry.rru, failed: call.capacity.failed || entry.failed }
          : entry);
      const seeCapacity = capacityOn ? await capacityInspector(moto.endpoint, sink)(operation, body) : undefined;
      return async (answer) => {
        await seeCapacity?.(answer);
        call.end = performance.now();
      };
    },
  });
  const stateDir = await mkdtemp(join(tmpdir(), "herald-bench-"));
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "services/local/src/start.ts"], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      AWS_ENDPOINT_URL: proxy.endpoint,
      HERALD_STATE_DIR: stateDir,
      HERALD_PORT: "0",
      HERALD_LOG_LEVEL: "WARN",
      // the bench is one principal sending as fast as it can: no per-principal throttle
      HERALD_RATE_LIMIT: "0",
      ...extraEnv,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr?.on("data", (c: Buffer) => (output += c.toString()));
  const stopAll = async () => {
    await stopChild(child);
    await proxy.stop();
    await moto.stop();
  };
  try {
    const deadline = Date.now() + 90_000;
    while (!output.includes("Ctrl-C stops everything")) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`stack did not start:\n${output.slice(-3000)}`);
      await sleep(100);
    }
  } catch (error) {
    await stopAll();
    throw error;
  }
  const local = JSON.parse(await readFile(join(stateDir, "local.json"), "utf8")) as { url: string; apiKey: string; tableName: string; eventsQueueUrl?: string };
  if (!local.eventsQueueUrl) {
    await stopAll();
    throw new Error("the local stack wrote no events queue (services/local predates the events path)");
  }
  const eventsQueueUrl = local.eventsQueueUrl;
  const db = rawDynamo(moto.endpoint);

  const waitStatus = async (ids: string[], wanted: string, timeoutMs = 300_000) => {
    const reached = new Map<string, number>();
    const pending = new Set(ids);
    const deadline = Date.now() + timeoutMs;
    while (pending.size > 0) {
      const snapshot = [...pending];
      for (let i = 0; i < snapshot.length; i += 100) {
        const keys = snapshot.slice(i, i + 100).map((id) => ({ pk: { S: `MSG#${id}` }, sk: { S: "MSG" } }));
        const r = await db.call("BatchGetItem", { RequestItems: { [local.tableName]: { Keys: keys, ConsistentRead: true } } });
        type Raw = { id?: { S: string }; status?: { S: string }; history?: { L: { M: { status: { S: string }; at: { S: string } } }[] } };
        for (const item of ((r.Responses as Record<string, Raw[]> | undefined)?.[local.tableName] ?? [])) {
          const id = item.id?.S ?? "";
          const status = item.status?.S;
          if (status === wanted) {
            const at = item.history?.L.map((e) => e.M).find((e) => e.status.S === wanted)?.at.S;
            reached.set(id, at ? Date.parse(at) : Date.now());
            pending.delete(id);
          } else if (status === "failed" || status === "dead_lettered") {
            throw new Error(`message ${id} ended ${status}`);
          }
        }
      }
      if (pending.size === 0) break;
      if (Date.now() > deadline) throw new Error(`${pending.size} messages not ${wanted} within ${timeoutMs} ms`);
      // the records' own times are the figure, so polling slowly loses nothing, and a slow poll
      // keeps the bench's reads from slowing the emulator it measures
      await sleep(pending.size > 1 ? 500 : 50);
    }
    return reached;
  };

  return {
    url: local.url,
    apiKey: local.apiKey,
    tableName: local.tableName,
    eventsQueueUrl,
    moto,
    proxy,
    calls,
    reset: () => calls.splice(0, calls.length),
    capacity: (on) => (capacityOn = on),
    waitSent: (ids, timeoutMs) => waitStatus(ids, "sent", timeoutMs),
    waitStatus,
    putEvent: (body) => sendToQueue(moto.endpoint, eventsQueueUrl, body),
    stream: () => readStream(moto.endpoint, local.tableName),
    stop: stopAll,
  };
}
