/** Waits until one more send fits the configured rate. */
export interface RateLimiter {
  /**
   * Takes a send slot, waiting for one at most `maxWaitMs` (unbounded by default): true once
   * taken, false when none would come free in time (then nothing is taken).
   */
  acquire(maxWaitMs?: number): Promise<boolean>;
}

export const unlimited: RateLimiter = { acquire: async () => true };
