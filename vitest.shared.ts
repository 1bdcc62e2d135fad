import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/** One test configuration for every workspace: integration tests start their own moto_server. */
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Finds (on a first run: installs) the emulator before any test file starts one.
    globalSetup: [fileURLToPath(new URL("./packages/testing/src/vitest-setup.ts", import.meta.url))],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  },
});
