import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config";

const OAUTH = {
  HERALD_TABLE_NAME: "herald-messages",
  HERALD_OAUTH_INTROSPECTION_URL: "https://idp.example.com/oauth2/introspect",
  HERALD_OAUTH_CLIENT_ID: "herald",
  HERALD_OAUTH_CLIENT_SECRET: "secretsmanager:herald/you/OAuthClientSecret",
};

describe("loadConfig", () => {
  it("refuses to start introspecting without an audience, which would accept tokens minted for other APIs", () => {
    // Act
    const load = () => loadConfig(OAUTH);

    // Assess
    expect(load).toThrow(/^invalid configuration: HERALD_OAUTH_AUDIENCE: is required when HERALD_OAUTH_INTROSPECTION_URL is set/);
  });

  it("starts with an audience, or with the explicit HERALD_OAUTH_AUDIENCE=*", () => {
    // Act
    const named = loadConfig({ ...OAUTH, HERALD_OAUTH_AUDIENCE: "https://api.example.com" });
    const any = loadConfig({ ...OAUTH, HERALD_OAUTH_AUDIENCE: "*" });

    // Assess
    expect(named.oauth?.audiences).toEqual(["https://api.example.com"]);
    expect(any.oauth?.audiences).toEqual(["*"]);
  });

  it("takes the introspection cache's TTL as infra passes it, 0 included", () => {
    // Act
    const config = loadConfig({ ...OAUTH, HERALD_OAUTH_AUDIENCE: "herald", HERALD_OAUTH_CACHE_TTL: "0" });

    // Assess
    expect(config.oauth?.cacheTtlSeconds).toBe(0);
  });
});
