/**
 * `npm start`: the whole of Herald on this machine. Starts moto_server on loopback (unless
 * AWS_ENDPOINT_URL already points somewhere; installed into .herald/venv on first use when none
 * is on the PATH), provisions table, queues and verified sender (idempotently), runs the ingest
 * API and each consumer as its own process, prints one line per step with its time, and stops
 * them all on Ctrl-C or SIGTERM, also while it is still starting.
 */
import { dlqUrlField, dlqUrlSetting, pickQueueUrlFields, QUEUE_NAMES, QUEUES, queueUrlField, queueUrlSetting } from "@herald/contracts";
import { ConfigError, loadConfigOrExit } from "@herald/platform";
import {
  EmulatorMissingError,
  emulatorClientConfig,
  emulatorEnv,
  freePort,
  provision,
  startMoto,
  startSesSimulator,
  type Emulator,
  type SesSimulator,
} from "@herald/testing";
import { ensureLocalApiKey } from "./api-key";
import { localAuditKey } from "./audit-key";
import { loadLocalConfig, quietSdkNodeWarning } from "./config";

quietSdkNodeWarning();
import { readState, stateFile, writeState } from "./state";
import { runService, stopAll, type Running } from "./supervisor";

const config = loadConfigOrExit(loadLocalConfig);
const say = (line: string) => process.stdout.write(`${line}\n`);
/** One progress line: "  table     herald-messages       0.3 s". */
const progress = (name: string, detail: string, ms: number) => {
  if (!stopping) say(`  ${name.padEnd(9)} ${detail.padEnd(40)} ${(ms / 1000).toFixed(1).padStart(5)} s`);
};

/** Aborted by Ctrl-C or SIGTERM: stops a first-run install or an emulator that is still starting. */
const starting = new AbortController();
let emulatorStarting: Promise<unknown> | undefined;
let emulator: Emulator | undefined;
let simulator: SesSimulator | undefined;
let running: Running[] = [];
let stopping: Promise<never> | undefined;

/** Stops whatever has started, once; the first caller's exit code wins, later callers wait. */
function shutdown(code: number, why: string): Promise<never> {
  stopping ??= (async () => {
    say(`herald: stopping (${why})`);
    starting.abort();
    await emulatorStarting?.then(
      () => undefined,
      () => undefined,
    );
    await stopAll(running);
    await simulator?.stop();
    await emulator?.stop();
    say("herald: stopped");
    process.exit(code);
  })();
  return stopping;
}

for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void shutdown(0, signal));

async function main(): Promise<void> {
  let endpoint = config.endpoint;
  let clock = performance.now();
  if (!endpoint) {
    const pending = startMoto({
      port: config.emulatorPort || undefined,
      say: (line) => say(`  ${line}`),
      signal: starting.signal,
    }).then((started) => (emulator = started));
    emulatorStarting = pending;
    let started: Emulator;
    try {
      started = await pending;
    } catch (error) {
      if (error instanceof EmulatorMissingError && !stopping) {
        process.stderr.write(`herald: ${error.message}\n`);
        process.exit(1);
      }
      throw error;
    }
    endpoint = started.endpoint;
    const { version, from } = started.server;
    progress("emulator", `moto_server ${version ?? "(version unknown)"} (${from}) on :${started.port}`, performance.now() - clock);
  } else {
    progress("emulator", `${endpoint} (AWS_ENDPOINT_URL), none started`, 0);
  }
  // Our own emulator gets dummy credentials; for one named by AWS_ENDPOINT_URL, the caller's win.
  // The services get them as their environment, this process's own clients as client settings.
  const awsEnv: Record<string, string | undefined> = {
    ...emulatorEnv(endpoint),
    ...(!emulator && pick(config.passthrough, ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION"])),
  };
  const dummy = emulatorClientConfig(endpoint);
  const client = {
    endpoint,
    region: awsEnv.AWS_REGION ?? dummy.region,
    credentials: {
      accessKeyId: awsEnv.AWS_ACCESS_KEY_ID ?? dummy.credentials.accessKeyId,
      secretAccessKey: awsEnv.AWS_SECRET_ACCESS_KEY ?? dummy.credentials.secretAccessKey,
      ...(awsEnv.AWS_SESSION_TOKEN && { sessionToken: awsEnv.AWS_SESSION_TOKEN }),
    },
  };

  const resources = await provision({
    prefix: config.prefix,
    senders: config.senders,
    maxReceives: config.maxReceives,
    onStep: (step) => progress(step.name, step.detail, step.ms),
    client,
  });
  // SES's mailbox simulator (success@, bounce@, complaint@... simulator.amazonses.com): local
  // only, in front of the emulator's SES v2, publishing their events on the events queue.
  clock = performance.now();
  simulator = await startSesSimulator({
    target: endpoint,
    eventsQueueUrl: resources.eventsQueueUrl,
    client,
    onError: (error) => process.stderr.write(`herald: SES simulator: ${error instanceof Error ? error.message : String(error)}\n`),
  });
  progress("simulator", "SES mailbox simulator → events queue", performance.now() - clock);
  clock = performance.now();
  const previous = await readState(config.stateDir);
  const apiKey = await ensureLocalApiKey(resources.tableName, previous?.apiKey, client);
  const keyId = /^hk_([0-9a-f]+)_/.exec(apiKey)?.[1] ?? "?";
  progress("API key", `key id ${keyId}, ${apiKey === previous?.apiKey ? "reused" : "created"}`, performance.now() - clock);
  const auditKey = localAuditKey(config.passthrough.HERALD_AUDIT_HMAC_KEY, previous?.auditHmacKey);
  progress("audit key", auditKey.from === "HERALD_AUDIT_HMAC_KEY" ? "from HERALD_AUDIT_HMAC_KEY" : `erasure HMAC key, ${auditKey.from}`, 0);
  clock = performance.now();
  const port = config.port || (await freePort());
  const url = `http://${config.host}:${port}`;

  const env = {
    ...config.passthrough,
    ...awsEnv,
    HERALD_TABLE_NAME: resources.tableName,
    ...Object.fromEntries(QUEUE_NAMES.map((name) => [queueUrlSetting(name), resources[queueUrlField(name)]])),
    ...Object.fromEntries(QUEUE_NAMES.map((name) => [dlqUrlSetting(name), resources[dlqUrlField(name)]])),
    HERALD_EVENTS_QUEUE_URL: resources.eventsQueueUrl,
    HERALD_EVENTS_DLQ_URL: resources.eventsDlqUrl,
    HERALD_WEBHOOKS_QUEUE_URL: resources.webhooksQueueUrl,
    HERALD_WEBHOOKS_DLQ_URL: resources.webhooksDlqUrl,
    // a receiver on this machine (http://127.0.0.1:PORT) may be registered; on AWS only public https ones
    HERALD_WEBHOOKS_ALLOW_LOOPBACK: config.passthrough.HERALD_WEBHOOKS_ALLOW_LOOPBACK ?? "true",
    AWS_ENDPOINT_URL_SESV2: simulator.endpoint,
    HERALD_KMS_KEY_ID: resources.kmsKeyId,
    HERALD_EMAIL_FROM: config.sender,
    HERALD_EMAIL_SENDERS: config.senders.join(","),
    HERALD_HOST: config.host,
    HERALD_PORT: String(port),
    HERALD_MAX_RECEIVES: String(config.maxReceives),
    HERALD_LOG_LEVEL: config.logLevel,
    HERALD_AUDIT_HMAC_KEY: auditKey.setting,
  };
  // A stop that came while provisioning has already stopped what ran; start nothing more.
  if (stopping) return;
  // The ingest API, each registry queue's consumer as its own worker process, the dead-letter
  // sweeper (on AWS a scheduled function), which keeps the status of what dies in a DLQ true, the
  // webhook fan-out (the table's stream → webhook jobs; on AWS a stream-triggered function) and
  // the webhook consumer.
  running = [
    runService({ name: "ingest", entry: "services/ingest/src/entrypoints/server.ts" }, env),
    ...QUEUE_NAMES.map((name) => runService({ name: QUEUES[name].service, entry: `services/${QUEUES[name].service}/src/entrypoints/worker.ts` }, env)),
    runService({ name: "events", entry: "services/events/src/entrypoints/worker.ts" }, env),
    runService({ name: "dead-letters", entry: "services/dead-letters/src/entrypoints/worker.ts" }, env),
    runService({ name: "webhook-fanout", entry: "services/webhook-fanout/src/entrypoints/worker.ts" }, env),
    runService({ name: "webhooks", entry: "services/webhooks/src/entrypoints/worker.ts" }, env),
  ];
  for (const r of running) {
    r.child.once("exit", (code, signal) => {
      if (!stopping) void shutdown(1, `${r.name} exited (${signal ?? code})`);
    });
  }

  // Every service up (a bad setting stops one at once, and with it the stack), then the API answering.
  const allReady = Promise.all(running.map((r) => r.ready)).then(
    () => true,
    () => false,
  );
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error("the services did not start within 60 s")), 60_000).unref(),
  );
  const up = await Promise.race([allReady, timeout]);
  if (!up || stopping) return;
  await waitForHealth(`${url}/health`);
  if (stopping) return;
  progress("services", running.map((r) => r.name).join(", "), performance.now() - clock);
  await writeState(config.stateDir, {
    url,
    apiKey,
    awsEndpoint: endpoint,
    tableName: resources.tableName,
    ...pickQueueUrlFields(resources),
    eventsQueueUrl: resources.eventsQueueUrl,
    eventsDlqUrl: resources.eventsDlqUrl,
    webhooksQueueUrl: resources.webhooksQueueUrl,
    webhooksDlqUrl: resources.webhooksDlqUrl,
    kmsKeyId: resources.kmsKeyId,
    ...(auditKey.stored !== undefined && { auditHmacKey: auditKey.stored }),
    pid: process.pid,
  });

  say("");
  say(`Herald is running at ${url}`);
  say(`  AWS emulator  ${endpoint}${emulator ? " (moto_server, started here)" : " (AWS_ENDPOINT_URL)"}`);
  say(`  sender        ${config.sender} (verified)`);
  say(
    `  email         ${config.email.transports
      .map((t) => (t === "smtp" ? `SMTP relay ${config.email.relay ?? "(HERALD_SMTP_HOST unset)"}` : "SES"))
      .join(", failing over to ")}`,
  );
  say(`  API key       ${apiKey}`);
  say(`  state         ${stateFile(config.stateDir)}`);
  say(
    config.oauth
      ? `  OAuth 2.0     bearer tokens introspected at ${config.oauth.introspectionUrl} (tenant from "${config.oauth.tenantClaim}", roles from "${config.oauth.rolesClaim}")`
      : "  OAuth 2.0     off: API keys only (set HERALD_OAUTH_INTROSPECTION_URL to accept bearer tokens)",
  );
  say(
    config.rateLimit === undefined
      ? "  throttle      off"
      : `  throttle      ${config.rateLimit.ratePerSecond} requests/s per principal, bursts of ${config.rateLimit.burst}`,
  );
  say(`  CORS          ${config.corsOrigins.length === 0 ? "no browser origins" : config.corsOrigins.join(", ")}`);
  say("");
  say("Send a test email:");
  say(
    `  curl -sS -X POST ${url}/v1/messages -H 'content-type: application/json' -H 'x-api-key: ${apiKey}' ` +
      `-d '{"channel":"email","to":"you@example.com","subject":"Hello from Herald","text":"It works."}'`,
  );
  say("Send a test SMS (delivered through the emulator's SNS):");
  say(
    `  curl -sS -X POST ${url}/v1/messages -H 'content-type: application/json' -H 'x-api-key: ${apiKey}' ` +
      `-d '{"channel":"sms","to":"+447911123456","text":"Hello from Herald"}'`,
  );
  say("Then look it up (use the id it returned):");
  say(`  curl -sS ${url}/v1/messages/ID -H 'x-api-key: ${apiKey}'`);
  say(`See what the emulator's SES accepted: curl -sS ${endpoint}/moto-api/data.json`);
  say("Ctrl-C stops everything.");
  say("");
}

async function waitForHealth(healthUrl: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (stopping) return;
    try {
      const response = await fetch(healthUrl, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the ingest API did not answer ${healthUrl} within ${timeoutMs / 1000} s`);
}

function pick(source: Record<string, string | undefined>, names: string[]): Record<string, string> {
  return Object.fromEntries(names.flatMap((n) => (source[n] ? [[n, source[n]]] : [])));
}

main().catch((error: unknown) => {
  // While stopping, what was starting fails (aborted, or its emulator gone): that is the stop, not an error.
  if (stopping) return;
  process.stderr.write(`herald: ${error instanceof ConfigError || error instanceof Error ? error.message : String(error)}\n`);
  void shutdown(1, "start-up failed");
});
