import { defineConfig, mergeConfig } from "vitest/config";
import shared from "../../vitest.shared.ts";

// The end-to-end and fault tests each run whole stacks of processes: one file at a time, so two
// cores are not shared between stacks (timings and drains stay meaningful).
export default mergeConfig(shared, defineConfig({ test: { fileParallelism: false, testTimeout: 120_000 } }));
