/** Waits until one more send fits the configured rate. */
export interface RateLimiter {
  acquire(): Promise<void>;
}

export const unlimited: RateLimiter = { acquire: async () => undefined };
