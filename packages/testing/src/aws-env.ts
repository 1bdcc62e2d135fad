import { Agent } from "node:http";

/** The environment that points the real AWS SDK at an emulator, with dummy credentials. */
export function emulatorEnv(endpoint: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  };
}

/** Points this process's AWS SDK clients (created afterwards) at the emulator. */
export function useEmulatorEnv(endpoint: string): void {
  Object.assign(process.env, emulatorEnv(endpoint));
}

/**
 * SDK client options that send every request over one connection, so the emulator handles them
 * one at a time. For tests of conditional writes racing each other: DynamoDB applies a
 * conditional update to an item atomically, moto (threaded, no item locks) does not, and two
 * racing updates can both pass their condition. Serialized, moto gives DynamoDB's answer. Share
 * one options object between the clients whose requests race.
 */
export function oneConnectionToEmulator(): { requestHandler: { httpAgent: Agent } } {
  return { requestHandler: { httpAgent: new Agent({ keepAlive: true, maxSockets: 1 }) } };
}

/**
 * SDK client options that point one client at the emulator, for a process whose own environment
 * should stay as it is (the keys and dlq tools follow a running local stack this way).
 */
export function emulatorClientConfig(endpoint: string): {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
} {
  const env = emulatorEnv(endpoint);
  return {
    endpoint,
    region: env.AWS_REGION ?? "us-east-1",
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID ?? "test", secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? "test" },
  };
}
