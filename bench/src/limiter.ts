/**
 * The email send-rate limiter as it runs on AWS: three workers (each its own limiter and
 * DynamoDB client, as three Lambda instances), each handling its batch one record at a time as
 * the consumer does (take a slot, then the claim, the send and the sent write: BENCH_LIMITER_SEND_MS,
 * 60 ms, about what they take on AWS), sharing one configured rate through the table in moto.
 * Three such workers could send ~45/s, so the rate is what holds them back. Figures: the rate
 * held (slots per second over the steady part of the run, the first second left out) against
 * the one configured, and the DynamoDB writes per slot, failed conditional writes included.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoRateLimiter } from "@herald/messages/dynamo";
import { emulatorClientConfig, provision, startAwsProxy, startMoto } from "@herald/testing";

export type LimiterResult = {
  configured: number;
  held: number;
  workers: number;
  /** Records each worker has waiting for a slot at once, and how long each send takes after its slot. */
  inFlight: number;
  sendMs: number;
  seconds: number;
  slots: number;
  writesPerSlot: number;
  failedWritesPerSlot: number;
  /** |held - configured| / configured */
  deviation: number;
};

export async function measureLimiter(
  rate = Number(process.env.BENCH_LIMITER_RATE ?? 14),
  seconds = Number(process.env.BENCH_LIMITER_SECONDS ?? 10),
  workers = 3,
  inFlight = 1,
  sendMs = Number(process.env.BENCH_LIMITER_SEND_MS ?? 60),
): Promise<LimiterResult> {
  const moto = await startMoto();
  let writes = 0;
  let failed = 0;
  const proxy = await startAwsProxy({
    target: moto.endpoint,
    inspect: async (operation) => {
      if (operation !== "DynamoDB.UpdateItem") return undefined;
      writes++;
      return ({ status }) => {
        if (status !== 200) failed++;
      };
    },
  });
  try {
    const { tableName } = await provision({ prefix: "bench-limiter", senders: [], client: emulatorClientConfig(moto.endpoint) });
    const limiters = Array.from(
      { length: workers },
      () => new DynamoRateLimiter(new DynamoDBClient(emulatorClientConfig(proxy.endpoint)), tableName, { name: "email", perSecond: rate }),
    );
    const stamps: number[] = [];
    const started = performance.now();
    const until = started + seconds * 1000;
    await Promise.all(
      limiters.flatMap((limiter) =>
        Array.from({ length: inFlight }, async () => {
          // As a consumer's record does: a caller that cannot have a slot within the time left
          // stops (the record goes back to the queue). Asking again at once would spin without
          // yielding, and the timers of the callers asleep until their slots would fire late.
          while (performance.now() < until) {
            if (!(await limiter.acquire(until - performance.now()))) break;
            stamps.push(performance.now() - started);
            await new Promise((resolve) => setTimeout(resolve, sendMs));
          }
        }),
      ),
    );
    const steady = stamps.filter((t) => t >= 1000 && t < seconds * 1000);
    const held = steady.length / (seconds - 1);
    return {
      configured: rate,
      held,
      workers,
      inFlight,
      sendMs,
      seconds,
      slots: stamps.length,
      writesPerSlot: writes / stamps.length,
      failedWritesPerSlot: failed / stamps.length,
      deviation: Math.abs(held - rate) / rate,
    };
  } finally {
    await proxy.stop();
    await moto.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await measureLimiter(), null, 2));
