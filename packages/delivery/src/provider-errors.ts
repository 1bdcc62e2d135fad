import { AppError, TransientError } from "@herald/platform";

/** What the classification reads of one failed call to a provider. */
export type ProviderFailure = {
  /**
   * What the reason names: an SDK error's name, the provider's error code, `HTTP 503`. Never the
   * provider's own message text: it can quote an address or a phone number.
   */
  label: string;
  /** The HTTP status the provider answered with; undefined when no answer came. */
  status?: number | undefined;
  /** The AWS SDK's `$fault`: whom the provider blamed. */
  fault?: "client" | "server" | undefined;
};

export type ProviderErrors<Failure extends ProviderFailure> = {
  /** The codes' prefix: "email" makes `email.provider_unavailable`. */
  channel: string;
  /** Named in the reasons: "SES", "Twilio". */
  provider: string;
  /** Whether the provider said to slow down: then it is `<channel>.throttled`, transient. */
  throttled?: (failure: Failure) => boolean;
  /** The provider's own table: Herald's error for the failures it knows, undefined for the rest. */
  known: (failure: Failure, cause: unknown) => AppError | undefined;
};

/**
 * A provider's failure as Herald's error: throttling, then the provider's own table, then what is
 * the same for every provider. What the table does not know is transient, so it ends in the
 * dead-letter queue with its reason, where a person can look, rather than being dropped as failed.
 */
export function classifyProviderFailure<Failure extends ProviderFailure>(
  errors: ProviderErrors<Failure>,
  failure: Failure,
  cause?: unknown,
): AppError {
  const { channel, provider } = errors;
  const { label, status, fault } = failure;
  if (errors.throttled?.(failure)) return new TransientError(`${channel}.throttled`, `${provider} throttled the send (${label})`, cause);
  const known = errors.known(failure, cause);
  if (known) return known;
  if (fault === "server" || (status ?? 0) >= 500) {
    return new TransientError(`${channel}.provider_unavailable`, `${provider} failed (${label})`, cause);
  }
  // No answer (connection refused, DNS, timeout): no HTTP status and no fault. Not "no $metadata":
  // the AWS SDK's retry middleware adds $metadata { attempts } to these errors too.
  if (fault === undefined && status === undefined) {
    return new TransientError(`${channel}.network`, `Could not reach ${provider} (${label})`, cause);
  }
  return new TransientError(`${channel}.provider_error`, `${provider} refused the send (${label})`, cause);
}

/** An AWS SDK error as its table reads it: labelled with its name; `message` only to match on. */
export type SdkFailure = ProviderFailure & { message: string };

type SdkError = { name?: string; message?: string; $fault?: "client" | "server"; $metadata?: { httpStatusCode?: number } };

/**
 * The classifier of an AWS SDK client's errors (SES, SNS): an AppError the sender raised itself
 * passes through unchanged; anything else thrown is read as an SDK error.
 */
export function sdkErrorClassifier(errors: ProviderErrors<SdkFailure>): (error: unknown) => AppError {
  return (error) => {
    if (error instanceof AppError) return error;
    const e = error as SdkError | null | undefined;
    const failure: SdkFailure = {
      label: e?.name ?? "Error",
      message: e?.message ?? "",
      status: e?.$metadata?.httpStatusCode,
      fault: e?.$fault,
    };
    return classifyProviderFailure(errors, failure, error);
  };
}
