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
