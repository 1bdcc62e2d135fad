import { describe, expect, it } from "vitest";
import { CorsEnv, parseEnv, SendersEnv } from "../../src/index";

const FROM = { HERALD_EMAIL_FROM: "noreply@example.com" };

describe("SendersEnv", () => {
  it("takes the default sender and further addresses or @domains", () => {
    // Act
    const e = parseEnv(SendersEnv, { ...FROM, HERALD_EMAIL_SENDERS: " alerts@example.com, @example.org ," });

    // Assess
    expect(e).toEqual({ HERALD_EMAIL_FROM: "noreply@example.com", HERALD_EMAIL_SENDERS: ["alerts@example.com", "@example.org"] });
  });

  it.each([
    ["a sender that is no address", { HERALD_EMAIL_SENDERS: "alerts" }, "HERALD_EMAIL_SENDERS.0: each entry must be an email address or @domain"],
    ["a bare @", { HERALD_EMAIL_SENDERS: "a@example.com,@" }, "HERALD_EMAIL_SENDERS.1: each entry must be an email address or @domain"],
    ["a domain with a space", { HERALD_EMAIL_SENDERS: "@exa mple.com" }, "HERALD_EMAIL_SENDERS.0: each entry must be an email address or @domain"],
    ["a default sender that is no address", { HERALD_EMAIL_FROM: "noreply" }, "HERALD_EMAIL_FROM: must be a valid email address"],
    ["no default sender", { HERALD_EMAIL_FROM: undefined }, "HERALD_EMAIL_FROM: must be a valid email address"],
  ])("refuses %s, naming the variable", (_what, env, problem) => {
    // Act
    const act = () => parseEnv(SendersEnv, { ...FROM, ...env });

    // Assess
    expect(act).toThrow(`invalid configuration: ${problem}`);
  });
});

describe("CorsEnv", () => {
  it("takes origins, and none by default", () => {
    // Act
    const some = parseEnv(CorsEnv, { HERALD_CORS_ORIGINS: "https://app.example.com, http://localhost:5173" });
    const none = parseEnv(CorsEnv, {});

    // Assess
    expect(some.HERALD_CORS_ORIGINS).toEqual(["https://app.example.com", "http://localhost:5173"]);
    expect(none.HERALD_CORS_ORIGINS).toEqual([]);
  });

  it.each(["*", "https://app.example.com/", "app.example.com"])("refuses %s, which is not an origin", (origin) => {
    // Act
    const act = () => parseEnv(CorsEnv, { HERALD_CORS_ORIGINS: origin });

    // Assess
    expect(act).toThrow("invalid configuration: HERALD_CORS_ORIGINS.0: each entry must be an origin like https://app.example.com");
  });
});
