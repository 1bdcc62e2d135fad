import { EmulatorMissingError, findMoto } from "./emulator";

/**
 * vitest globalSetup of every workspace (vitest.shared.ts): finds the AWS emulator once before the
 * test files start, so a first run installs it into .herald/venv here, with its progress line and
 * without a time limit, rather than inside a file's 60 s beforeAll while other files wait on the
 * lock. Not finding one fails no unit test: the files that start an emulator say why themselves.
 */
export default async function setup(): Promise<void> {
  try {
    await findMoto();
  } catch (error) {
    if (!(error instanceof EmulatorMissingError)) throw error;
    process.stderr.write(`herald: ${error.message}\n`);
  }
}
