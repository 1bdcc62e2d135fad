// The root entry loads no AWS SDK: Secrets Manager is @herald/platform/secrets (createSecrets).
export { systemClock, type Clock } from "./clock";
export { announceReady, ConfigError, env, loadConfigOrExit, parseEnv } from "./config";
export {
  AppError,
  fieldErrors,
  ForbiddenError,
  isRetryable,
  NotFoundError,
  PermanentError,
  TransientError,
  UnauthorizedError,
  UnavailableError,
  ValidationError,
  type FieldError,
} from "./errors";
export { createLogger, type Logger } from "./logger";
export { maskEmail, maskPhone, maskPrincipal, maskRecipient } from "./mask";
export { valueAfterRefusal, type Secret } from "./secret";
