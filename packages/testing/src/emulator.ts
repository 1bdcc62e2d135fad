import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { EmulatorMissingError } from "./emulator-install";
import { findMoto, type FindMotoOptions, type MotoServer } from "./emulator-lookup";

export { EmulatorMissingError, MOTO_MINIMUM, MOTO_VERSION } from "./emulator-install";
export { findMoto, newEnough, repoRoot, type FindMotoOptions, type MotoServer } from "./emulator-lookup";

export type Emulator = {
  endpoint: string;
  port: number;
  /** The moto_server that runs, and where it was found. */
  server: MotoServer;
  /** Clears every resource and message the emulator holds. */
  reset(): Promise<void>;
  /** moto's whole state (`/moto-api/data.json`): `ses.Message` (emails SES accepted), `sns.SMS` (SMS published). */
  data(): Promise<MotoData>;
  stop(): Promise<void>;
};

export type MotoSesMessage = {
  id: string;
  source: string;
  subject: string;
  body: string;
  destinations: { ToAddresses?: string[]; CcAddresses?: string[]; BccAddresses?: string[] };
};
export type MotoSnsSms = { message: string; message_id: string; phone_number: string };
export type MotoData = { ses?: { Message?: MotoSesMessage[] }; sns?: { SMS?: MotoSnsSms[] } } & Record<string, unknown>;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function emulatorClient(endpoint: string): Pick<Emulator, "reset" | "data"> {
  return {
    async reset() {
      const response = await fetch(`${endpoint}/moto-api/reset`, { method: "POST" });
      if (!response.ok) throw new Error(`moto reset failed: ${response.status}`);
    },
    async data() {
      const response = await fetch(`${endpoint}/moto-api/data.json`);
      if (!response.ok) throw new Error(`moto data failed: ${response.status}`);
      return (await response.json()) as MotoData;
    },
  };
}

export type StartMotoOptions = FindMotoOptions & {
  port?: number;
  timeoutMs?: number;
};

/**
 * Finds moto_server (findMoto: HERALD_MOTO_SERVER, the PATH, or Herald's own venv, installed on
 * first use), starts it on loopback on a free port and waits until it answers. An abort (the
 * signal option) stops it, or the install, and rejects with the signal's reason.
 */
export async function startMoto(options: StartMotoOptions = {}): Promise<Emulator> {
  const server = await findMoto(options);
  const { signal } = options;
  signal?.throwIfAborted();
  const port = options.port ?? (await freePort());
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(server.command, ["-H", "127.0.0.1", "-p", String(port)], {
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...(options.env ?? process.env), PYTHONUNBUFFERED: "1" },
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);

  const spawnError = new Promise<never>((_, reject) => {
    child.once("exit", () => process.removeListener("exit", killOnExit));
    child.once("error", (error: NodeJS.ErrnoException) =>
      reject(error.code === "ENOENT" ? new EmulatorMissingError(`${server.command} (${server.from}) cannot be run`) : error),
    );
    child.once("exit", (code) => reject(new Error(`moto_server exited (${code}) before it was ready: ${stderr.trim()}`)));
  });
  spawnError.catch(() => undefined);

  const stop = () => stopChild(child).finally(() => process.removeListener("exit", killOnExit));
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  try {
    for (;;) {
      signal?.throwIfAborted();
      const ready = await Promise.race([spawnError, ping(endpoint)]);
      if (ready) break;
      if (Date.now() > deadline) throw new Error(`moto_server did not answer on ${endpoint} within ${options.timeoutMs ?? 30_000} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
    signal?.throwIfAborted();
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    endpoint,
    port,
    server,
    ...emulatorClient(endpoint),
    stop,
  };
}

async function ping(endpoint: string): Promise<boolean> {
  try {
    const response = await fetch(`${endpoint}/moto-api/data.json`, { signal: AbortSignal.timeout(1000) });
    return response.ok;
  } catch {
    return false;
  }
}

export async function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  // No pid: it never started (ENOENT), so there is nothing to stop and no exit to wait for.
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}
