import { loadInfraConfig } from "./deploy-config";

export type { InfraConfig } from "./deploy-config";

/*
 * Deploy-time settings. The one place infra reads process.env: a missing or bad value stops
 * `sst deploy` before any resource is declared, with one line naming the variable. The rules are
 * in deploy-config.ts (the services' own, from @herald/settings, and infra's); relative paths
 * start at the directory of sst.config.ts.
 */
export const config = loadInfraConfig(process.env, $cli.paths.root);
