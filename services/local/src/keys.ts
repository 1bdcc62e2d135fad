/**
 * `npm run keys -- create --tenant T --roles messages:send,messages:read [--principal P] [--description D]`
 * `npm run keys -- list [--tenant T]`
 * `npm run keys -- revoke KEY_ID`
 *
 * Talks to the table named by HERALD_TABLE_NAME with the caller's AWS settings (a deployed stage),
 * else to the running local stack's table and emulator (from .herald/local.json). `create` prints
 * the new key once, on its last line; only its hash is stored.
 */
import { parseArgs } from "node:util";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { createApiKey } from "@herald/auth";
import { DynamoApiKeyStore } from "@herald/auth/dynamo";
import { Role } from "@herald/contracts";
import { emulatorClientConfig } from "@herald/testing";
import * as z from "zod";
import { loadLocalConfig, quietSdkNodeWarning } from "./config";

quietSdkNodeWarning();
import { readState } from "./state";

const USAGE = `usage:
  npm run keys -- create --tenant TENANT --roles ROLE[,ROLE...] [--principal NAME] [--description TEXT]
  npm run keys -- list [--tenant TENANT]
  npm run keys -- revoke KEY_ID
roles: ${Role.options.join(", ")}`;

class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      tenant: { type: "string" },
      roles: { type: "string" },
      principal: { type: "string" },
      description: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }

  const config = loadLocalConfig();
  const state = await readState(config.stateDir);
  // HERALD_TABLE_NAME names a real table (a deployed stage): use the caller's AWS settings as they
  // are. Otherwise follow the running local stack to its emulator.
  const deployedTable = config.passthrough.HERALD_TABLE_NAME;
  const clientConfig = !deployedTable && !config.endpoint && state ? emulatorClientConfig(state.awsEndpoint) : {};
  const tableName = deployedTable ?? state?.tableName ?? `${config.prefix}-messages`;
  const store = new DynamoApiKeyStore(new DynamoDBClient(clientConfig), tableName);

  switch (command) {
    case "create": {
      if (!values.tenant) throw new UsageError("--tenant is required");
      const roles = z.array(Role).min(1).safeParse((values.roles ?? "").split(",").map((r) => r.trim()).filter(Boolean));
      if (!roles.success) throw new UsageError(`--roles must be a comma-separated list of: ${Role.options.join(", ")}`);
      const { key, record } = await createApiKey(store, {
        tenant: values.tenant,
        roles: roles.data,
        ...(values.principal && { principal: values.principal }),
        ...(values.description && { description: values.description }),
      });
      process.stdout.write(`created key ${record.key_id} for principal ${record.principal} in tenant ${record.tenant} (${record.roles.join(",")})\n`);
      process.stdout.write("the key is shown once; store it now:\n");
      process.stdout.write(`${key}\n`);
      return;
    }
    case "list": {
      const records = (await store.list()).filter((r) => !values.tenant || r.tenant === values.tenant);
      process.stdout.write("key_id        tenant        principal             roles                                         created_at                revoked_at\n");
      for (const r of records.sort((a, b) => a.created_at.localeCompare(b.created_at))) {
        process.stdout.write(
          `${r.key_id.padEnd(14)}${r.tenant.padEnd(14)}${r.principal.padEnd(22)}${r.roles.join(",").padEnd(46)}${r.created_at.padEnd(26)}${r.revoked_at ?? "-"}\n`,
        );
      }
      return;
    }
    case "revoke": {
      const [keyId] = rest;
      if (!keyId) throw new UsageError("revoke needs a KEY_ID (see list)");
      if (!(await store.revoke(keyId, new Date()))) throw new UsageError(`no key ${keyId}`);
      process.stdout.write(`revoked ${keyId}\n`);
      return;
    }
    default:
      throw new UsageError(`unknown command ${command}`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`keys: ${message}\n${error instanceof UsageError ? `${USAGE}\n` : ""}`);
  process.exit(error instanceof UsageError ? 2 : 1);
});
