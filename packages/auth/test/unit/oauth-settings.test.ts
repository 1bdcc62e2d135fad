import { describe, expect, it } from "vitest";
import { loadOAuthSettings } from "../../src/index";

const OAUTH = {
  HERALD_OAUTH_INTROSPECTION_URL: "https://idp.example.com/oauth2/introspect",
  HERALD_OAUTH_CLIENT_ID: "herald",
  HERALD_OAUTH_CLIENT_SECRET: "introspection-s3cr3t",
  HERALD_OAUTH_AUDIENCE: "https://api.example.com",
};

describe("loadOAuthSettings", () => {
  it("is off when no introspection URL is set", () => {
    // Act
    const settings = loadOAuthSettings({ HERALD_OAUTH_CLIENT_SECRET: "unused" });

    // Assess
    expect(settings).toBeUndefined();
  });

  it("takes a plain client secret as the secret itself", () => {
    // Act
    const settings = loadOAuthSettings(OAUTH);

    // Assess
    expect(settings).toMatchObject({ clientId: "herald", clientSecret: { kind: "value", value: "introspection-s3cr3t" } });
  });

  it("takes secretsmanager:<ARN> as a reference to the secret in Secrets Manager", () => {
    // Prepare
    const arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:herald/prod/OAuthClientSecret-AbCdEf";

    // Act
    const settings = loadOAuthSettings({ ...OAUTH, HERALD_OAUTH_CLIENT_SECRET: `secretsmanager:${arn}` });

    // Assess
    expect(settings?.clientSecret).toEqual({ kind: "secretsmanager", id: arn });
  });

  it.each([
    ["missing", undefined],
    ["blank", "  "],
  ])("names HERALD_OAUTH_CLIENT_SECRET when it is %s and the introspection URL is set", (_, value) => {
    // Act
    const load = () => loadOAuthSettings({ ...OAUTH, HERALD_OAUTH_CLIENT_SECRET: value });

    // Assess
    expect(load).toThrow("invalid configuration: HERALD_OAUTH_CLIENT_SECRET: is required when HERALD_OAUTH_INTROSPECTION_URL is set");
  });

  it("names HERALD_OAUTH_CLIENT_SECRET, without echoing anything, when the reference has no name", () => {
    // Act
    const load = () => loadOAuthSettings({ ...OAUTH, HERALD_OAUTH_CLIENT_SECRET: "secretsmanager: " });

    // Assess
    expect(load).toThrow("invalid configuration: HERALD_OAUTH_CLIENT_SECRET: needs a secret name or ARN after secretsmanager:");
  });

  it.each([
    ["missing", undefined],
    ["blank", " "],
  ])("refuses the introspection URL with HERALD_OAUTH_AUDIENCE %s: any token of the provider would do, even one for another API", (_, value) => {
    // Act
    const load = () => loadOAuthSettings({ ...OAUTH, HERALD_OAUTH_AUDIENCE: value });

    // Assess
    expect(load).toThrow(
      "invalid configuration: HERALD_OAUTH_AUDIENCE: is required when HERALD_OAUTH_INTROSPECTION_URL is set: " +
        "the audience Herald's tokens carry (aud), or * to accept tokens for any audience",
    );
  });

  it("takes HERALD_OAUTH_AUDIENCE=* as the explicit choice to accept any audience", () => {
    // Act
    const settings = loadOAuthSettings({ ...OAUTH, HERALD_OAUTH_AUDIENCE: " * " });

    // Assess
    expect(settings?.audiences).toEqual(["*"]);
  });

  it("refuses * next to named audiences, which it would make pointless", () => {
    // Act
    const load = () => loadOAuthSettings({ ...OAUTH, HERALD_OAUTH_AUDIENCE: "https://api.example.com,*" });

    // Assess
    expect(load).toThrow("invalid configuration: HERALD_OAUTH_AUDIENCE: * (any audience) cannot be combined with named audiences");
  });
});
