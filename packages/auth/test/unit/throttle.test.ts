import { describe, expect, it } from "vitest";
import { TokenBucketLimiter } from "../../src/index";

function aLimiter(ratePerSecond = 10, burst = 5) {
  const clock = { t: Date.parse("2026-11-23T10:00:00Z"), now: () => new Date(clock.t) };
  return { clock, limiter: new TokenBucketLimiter({ ratePerSecond, burst, clock }) };
}

describe("TokenBucketLimiter", () => {
  it("allows a burst, then refuses with the seconds until the next token", () => {
    // Prepare
    const { limiter } = aLimiter(0.5, 5);

    // Act
    const decisions = Array.from({ length: 6 }, () => limiter.take("alice"));

    // Assess
    expect(decisions.slice(0, 5).every((d) => d.allowed)).toBe(true);
    expect(decisions[5]).toEqual({ allowed: false, retryAfterSeconds: 2 });
  });

  it("refills at the configured rate", () => {
    // Prepare
    const { clock, limiter } = aLimiter(10, 5);
    for (let i = 0; i < 5; i++) limiter.take("alice");

    // Act
    const before = limiter.take("alice");
    clock.t += 300;
    const after = [limiter.take("alice"), limiter.take("alice"), limiter.take("alice"), limiter.take("alice")];

    // Assess
    expect(before.allowed).toBe(false);
    expect(after.map((d) => d.allowed)).toEqual([true, true, true, false]);
  });

  it("never holds more than the burst after a long quiet spell", () => {
    // Prepare
    const { clock, limiter } = aLimiter(10, 5);
    limiter.take("alice");
    clock.t += 3_600_000;

    // Act
    const allowed = Array.from({ length: 10 }, () => limiter.take("alice")).filter((d) => d.allowed).length;

    // Assess
    expect(allowed).toBe(5);
  });

  it("keeps one bucket per principal", () => {
    // Prepare
    const { limiter } = aLimiter(1, 2);
    limiter.take("alice");
    limiter.take("alice");

    // Act
    const alice = limiter.take("alice");
    const bob = limiter.take("bob");

    // Assess
    expect(alice.allowed).toBe(false);
    expect(bob.allowed).toBe(true);
  });
});
