import { BrokenCircuitError, circuitBreaker, ConsecutiveBreaker, handleWhen, type CircuitBreakerPolicy } from "cockatiel";
import type { EmailContent } from "@herald/contracts";
import type { SendContext, SendResult } from "@herald/delivery";
import { AppError, TransientError, type Logger } from "@herald/platform";
import type { EmailSender } from "../ports/email-sender";

export type FailoverOptions = {
  /** Transient failures in a row after which a transport is skipped. */
  failures: number;
  /** How long it is skipped before one message probes it again. */
  cooldownMs: number;
  logger?: Logger;
};

type Transport = { sender: EmailSender; breaker: CircuitBreakerPolicy };

/**
 * The configured transports in order. A message goes to the first; a transient failure there
 * (throttling, 5xx, network, timeout) sends it through the next one at once, within the same
 * attempt. A permanent refusal (a rejected recipient) is final: another transport would only be
 * refused too, or worse, accept what the first rightly refused.
 *
 * Each transport has a circuit breaker (cockatiel): after `failures` transient failures in a row
 * it is skipped for `cooldownMs`, then one message probes it; a success closes it again. So a dead
 * primary costs one timeout per cooldown, not one per message. Breakers live per process (a Lambda
 * container or a local worker), which is what bounds the wasted timeouts.
 */
export class FailoverEmailSender {
  readonly #transports: Transport[];

  constructor(senders: readonly EmailSender[], options: FailoverOptions) {
    if (senders.length === 0) throw new Error("at least one email transport is needed");
    this.#transports = senders.map((sender) => {
      const breaker = circuitBreaker(
        handleWhen((error) => error instanceof AppError && error.retryable),
        { halfOpenAfter: options.cooldownMs, breaker: new ConsecutiveBreaker(options.failures) },
      );
      breaker.onBreak(() => options.logger?.warn("email transport paused after repeated failures", { transport: sender.name, cooldownMs: options.cooldownMs }));
      breaker.onHalfOpen(() => options.logger?.info("probing email transport", { transport: sender.name }));
      breaker.onReset(() => options.logger?.info("email transport healthy again", { transport: sender.name }));
      return { sender, breaker };
    });
  }

  get names(): string[] {
    return this.#transports.map((t) => t.sender.name);
  }

  async send(email: EmailContent, context: SendContext): Promise<SendResult> {
    let pending: AppError | undefined;
    const skipped: string[] = [];
    for (const { sender, breaker } of this.#transports) {
      try {
        return await breaker.execute(() => {
          // Only now is the next transport really tried: the failure before it was a failover.
          if (pending) context.failedOver(pending);
          pending = undefined;
          context.attempt(sender.name);
          return sender.send(email, { messageId: context.messageId });
        });
      } catch (error) {
        if (error instanceof BrokenCircuitError) {
          skipped.push(sender.name);
          continue;
        }
        const appError = error instanceof AppError ? error : new TransientError("email.unexpected", "unexpected error while sending", error);
        if (!appError.retryable) throw appError;
        pending = appError;
      }
    }
    if (pending) throw pending;
    throw new TransientError(
      "email.transports_paused",
      `Every email transport is paused after repeated failures (${skipped.join(", ")}); the message is retried later`,
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.#transports.map((t) => t.sender.close?.()));
  }
}
