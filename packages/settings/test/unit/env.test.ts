import { describe, expect, it } from "vitest";
import * as z from "zod";
import { ConfigError, env, parseEnv } from "../../src/index";

const Config = z.object({
  HERALD_TABLE_NAME: env.required(),
  HERALD_PORT: env.int(8080, 1, 65535),
  HERALD_SENDERS: env.list(),
  HERALD_LOG_LEVEL: env.logLevel(),
});

function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}

describe("parseEnv", () => {
  it("returns the parsed values with defaults when the environment is valid", () => {
    // Prepare
    const environment = { HERALD_TABLE_NAME: "messages", HERALD_SENDERS: " a@example.com, ,b@example.com ", UNRELATED: "x" };

    // Act
    const config = parseEnv(Config, environment);

    // Assess
    expect(config).toEqual({
      HERALD_TABLE_NAME: "messages",
      HERALD_PORT: 8080,
      HERALD_SENDERS: ["a@example.com", "b@example.com"],
      HERALD_LOG_LEVEL: "INFO",
    });
  });

  it("coerces a numeric variable from its string", () => {
    // Prepare
    const environment = { HERALD_TABLE_NAME: "messages", HERALD_PORT: "3000" };

    // Act
    const config = parseEnv(Config, environment);

    // Assess
    expect(config.HERALD_PORT).toBe(3000);
  });

  it("throws a ConfigError of one line naming the variable when a number is not a number", () => {
    // Prepare
    const environment = { HERALD_TABLE_NAME: "messages", HERALD_PORT: "eighty" };

    // Act
    const error = thrownBy(() => parseEnv(Config, environment));

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toBe("invalid configuration: HERALD_PORT: must be a number");
    expect((error as ConfigError).name).toBe("ConfigError");
  });

  it("names a required variable that is missing", () => {
    // Prepare
    const environment = {};

    // Act
    const error = thrownBy(() => parseEnv(Config, environment));

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(/^invalid configuration: HERALD_TABLE_NAME: /);
    expect((error as ConfigError).message).not.toContain("\n");
  });

  it("names a required variable that is empty", () => {
    // Prepare
    const environment = { HERALD_TABLE_NAME: "" };

    // Act
    const error = thrownBy(() => parseEnv(Config, environment));

    // Assess
    expect((error as ConfigError).message).toBe("invalid configuration: HERALD_TABLE_NAME: is required");
  });

  it("keeps several bad variables on one line, each named", () => {
    // Prepare
    const environment = { HERALD_PORT: "70000", HERALD_LOG_LEVEL: "loud" };

    // Act
    const error = thrownBy(() => parseEnv(Config, environment));

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message.split("\n")).toHaveLength(1);
    expect(message).toContain("HERALD_TABLE_NAME: ");
    expect(message).toContain("HERALD_PORT: ");
    expect(message).toContain("HERALD_LOG_LEVEL: ");
  });

  it("does not echo the bad value, which may be a secret", () => {
    // Prepare
    const Secrets = z.object({ HERALD_SMTP_PASSWORD: z.string().min(12, { error: "must be at least 12 characters" }) });

    // Act
    const error = thrownBy(() => parseEnv(Secrets, { HERALD_SMTP_PASSWORD: "hunter2" }));

    // Assess
    expect((error as ConfigError).message).toBe("invalid configuration: HERALD_SMTP_PASSWORD: must be at least 12 characters");
    expect((error as ConfigError).message).not.toContain("hunter2");
  });
});

describe("env.int bounds", () => {
  it("names the bound a number breaks, not just 'must be a number'", () => {
    const schema = z.object({ HERALD_MAX_RECEIVES: env.int(5, 1, 1000) });
    expect(() => parseEnv(schema, { HERALD_MAX_RECEIVES: "0" })).toThrow("invalid configuration: HERALD_MAX_RECEIVES: must be at least 1");
    expect(() => parseEnv(schema, { HERALD_MAX_RECEIVES: "1001" })).toThrow("HERALD_MAX_RECEIVES: must be at most 1000");
    expect(() => parseEnv(schema, { HERALD_MAX_RECEIVES: "x" })).toThrow("HERALD_MAX_RECEIVES: must be a number");
  });
});
