import { Logger } from "@aws-lambda-powertools/logger";

export type { Logger };

/**
 * One structured JSON logger per service. Powertools reads POWERTOOLS_LOG_LEVEL / AWS_LAMBDA_LOG_LEVEL;
 * HERALD_LOG_LEVEL is passed in by each service's config.
 */
export function createLogger(serviceName: string, logLevel?: string): Logger {
  return new Logger({
    serviceName,
    ...(logLevel && { logLevel: logLevel.toUpperCase() as "INFO" }),
  });
}
