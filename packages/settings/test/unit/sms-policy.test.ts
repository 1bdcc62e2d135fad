import { describe, expect, it } from "vitest";
import { parseEnv } from "../../src/index";
import { smsPolicySettings, SmsPolicyEnv } from "../../src/sms-policy";

const load = (env: Record<string, string | undefined>) => smsPolicySettings(parseEnv(SmsPolicyEnv, env));

describe("SmsPolicyEnv", () => {
  it("allows every country and sets no quota when neither is set", () => {
    // Act
    const policy = load({});

    // Assess
    expect(policy).toEqual({ countries: undefined, dailyQuota: undefined });
  });

  it("takes a country list in either case, upper-cased, each once", () => {
    // Act
    const policy = load({ HERALD_SMS_COUNTRIES: " gb, IE ,us,GB", HERALD_SMS_DAILY_QUOTA: "500" });

    // Assess
    expect(policy).toEqual({ countries: ["GB", "IE", "US"], dailyQuota: 500 });
  });

  it("treats a blank list and a blank quota as unset", () => {
    // Act
    const policy = load({ HERALD_SMS_COUNTRIES: " ", HERALD_SMS_DAILY_QUOTA: "" });

    // Assess
    expect(policy).toEqual({ countries: undefined, dailyQuota: undefined });
  });

  it.each([
    ["a name instead of a code", { HERALD_SMS_COUNTRIES: "GB,Ireland" }, "HERALD_SMS_COUNTRIES.1: each entry must be an ISO 3166-1 alpha-2 country code with phone numbers, e.g. GB"],
    ["a code no country has", { HERALD_SMS_COUNTRIES: "ZZ" }, "HERALD_SMS_COUNTRIES.0: each entry must be an ISO 3166-1 alpha-2 country code with phone numbers, e.g. GB"],
    ["an alpha-3 code", { HERALD_SMS_COUNTRIES: "GBR" }, "HERALD_SMS_COUNTRIES.0: each entry must be an ISO 3166-1 alpha-2 country code with phone numbers, e.g. GB"],
    ["a quota of 0", { HERALD_SMS_DAILY_QUOTA: "0" }, "HERALD_SMS_DAILY_QUOTA: must be at least 1 (unset it for no quota)"],
    ["a quota that is no number", { HERALD_SMS_DAILY_QUOTA: "lots" }, "HERALD_SMS_DAILY_QUOTA: must be a number"],
    ["a fractional quota", { HERALD_SMS_DAILY_QUOTA: "1.5" }, "HERALD_SMS_DAILY_QUOTA: must be an integer"],
  ])("refuses %s, naming the variable", (_what, env, problem) => {
    // Act
    const act = () => parseEnv(SmsPolicyEnv, env);

    // Assess
    expect(act).toThrow(`invalid configuration: ${problem}`);
  });
});
