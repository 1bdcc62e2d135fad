import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rootCertificates } from "node:tls";
import { describe, expect, it } from "vitest";
import { ConfigError } from "@herald/platform";
import { loadConfig } from "../../src/config";

const BASE = { HERALD_TABLE_NAME: "herald-messages" };
const dir = mkdtempSync(join(tmpdir(), "herald-email-config-"));

// Any real certificate will do: the CA file check parses every PEM block.
const CERT = rootCertificates[0] ?? "";

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const fails = (env: Record<string, string>) => () => loadConfig({ ...BASE, ...env });

describe("email loadConfig: transports", () => {
  it("sends through SES alone when nothing else is configured", () => {
    // Act
    const config = loadConfig(BASE);

    // Assess
    expect(config.transports).toEqual(["ses"]);
    expect(config.smtp).toBeUndefined();
    expect(config.breaker).toEqual({ failures: 5, cooldownMs: 30_000 });
    expect(config.secretsMaxAgeSeconds).toBe(60);
  });

  it("sends through the relay when only HERALD_SMTP_* is configured", () => {
    // Act
    const config = loadConfig({ ...BASE, HERALD_SMTP_HOST: "smtp.example.com", HERALD_SMTP_USER: "u", HERALD_SMTP_PASSWORD: "p" });

    // Assess
    expect(config.transports).toEqual(["smtp"]);
    expect(config.smtp).toMatchObject({
      host: "smtp.example.com",
      port: 587,
      tls: "starttls",
      extraCa: [],
      auth: { kind: "password", user: "u", password: { kind: "value", value: "p" } },
    });
  });

  it("keeps the order given: the first is the primary", () => {
    // Act
    const config = loadConfig({ ...BASE, HERALD_EMAIL_TRANSPORTS: "smtp, ses", HERALD_SMTP_HOST: "relay.example.com" });

    // Assess
    expect(config.transports).toEqual(["smtp", "ses"]);
    expect(config.smtp?.auth).toEqual({ kind: "none" });
  });

  it.each([
    ["an unknown transport", { HERALD_EMAIL_TRANSPORTS: "ses,sendgrid" }, /HERALD_EMAIL_TRANSPORTS.*: each entry must be one of ses, smtp/],
    ["a transport twice", { HERALD_EMAIL_TRANSPORTS: "ses,ses" }, /HERALD_EMAIL_TRANSPORTS: must not name a transport twice/],
    ["smtp without a host", { HERALD_EMAIL_TRANSPORTS: "ses,smtp" }, /HERALD_SMTP_HOST: is required when smtp is in HERALD_EMAIL_TRANSPORTS/],
    ["an SMTP setting without smtp", { HERALD_EMAIL_TRANSPORTS: "ses", HERALD_SMTP_HOST: "relay.example.com" }, /HERALD_SMTP_HOST: has no effect without smtp/],
  ])("refuses %s with one line naming the variable", (_what, env, message) => {
    // Act & Assess
    expect(fails(env)).toThrow(ConfigError);
    expect(fails(env)).toThrow(message);
  });
});

describe("email loadConfig: SMTP settings", () => {
  const relay = { HERALD_SMTP_HOST: "smtp.example.com" };

  it("defaults the port by TLS mode", () => {
    // Act
    const implicit = loadConfig({ ...BASE, ...relay, HERALD_SMTP_TLS: "implicit" });
    const none = loadConfig({ ...BASE, ...relay, HERALD_SMTP_TLS: "none" });
    const given = loadConfig({ ...BASE, ...relay, HERALD_SMTP_PORT: "2525" });

    // Assess
    expect([implicit.smtp?.port, none.smtp?.port, given.smtp?.port]).toEqual([465, 25, 2525]);
  });

  it("configures XOAUTH2 with the mailbox, token URL, client and scope", () => {
    // Act
    const config = loadConfig({
      ...BASE,
      ...relay,
      HERALD_SMTP_USER: "noreply@contoso.com",
      HERALD_SMTP_OAUTH_TOKEN_URL: "https://login.microsoftonline.com/t/oauth2/v2.0/token",
      HERALD_SMTP_OAUTH_CLIENT_ID: "app",
      HERALD_SMTP_OAUTH_CLIENT_SECRET: "secretsmanager:herald/smtp-oauth",
      HERALD_SMTP_OAUTH_SCOPE: "https://outlook.office365.com/.default",
    });

    // Assess
    expect(config.smtp?.auth).toEqual({
      kind: "oauth",
      user: "noreply@contoso.com",
      tokenUrl: "https://login.microsoftonline.com/t/oauth2/v2.0/token",
      clientId: "app",
      clientSecret: { kind: "secretsmanager", id: "herald/smtp-oauth" },
      scope: "https://outlook.office365.com/.default",
    });
  });

  it("uses the password when both a password and OAuth are configured", () => {
    // Act
    const config = loadConfig({
      ...BASE,
      ...relay,
      HERALD_SMTP_USER: "u",
      HERALD_SMTP_PASSWORD: "p",
      HERALD_SMTP_OAUTH_TOKEN_URL: "https://idp.example.com/token",
      HERALD_SMTP_OAUTH_CLIENT_ID: "app",
      HERALD_SMTP_OAUTH_CLIENT_SECRET: "s",
    });

    // Assess
    expect(config.smtp?.auth.kind).toBe("password");
  });

  it("trusts the certificates of HERALD_SMTP_CA_FILE in addition to the system's", () => {
    // Act
    const config = loadConfig({ ...BASE, ...relay, HERALD_SMTP_CA_FILE: file("ca.pem", `${CERT}\n${CERT}\n`) });
    const broken = fails({ ...relay, HERALD_SMTP_CA_FILE: file("broken.pem", CERT.replace(/[A-Za-z]{8}(?=\n)/, "AAAAAAAA")) });

    // Assess
    expect(config.smtp?.extraCa).toHaveLength(2);
    expect(broken).toThrow(/HERALD_SMTP_CA_FILE: certificate 1 in .* cannot be parsed/);
  });

  it.each([
    ["a client id without a secret", { HERALD_SMTP_USER: "m@x.com", HERALD_SMTP_OAUTH_TOKEN_URL: "https://idp.example.com/t", HERALD_SMTP_OAUTH_CLIENT_ID: "app" }, /HERALD_SMTP_OAUTH_CLIENT_SECRET: is required with HERALD_SMTP_OAUTH_TOKEN_URL/],
    ["OAuth without the mailbox", { HERALD_SMTP_OAUTH_TOKEN_URL: "https://idp.example.com/t", HERALD_SMTP_OAUTH_CLIENT_ID: "a", HERALD_SMTP_OAUTH_CLIENT_SECRET: "s" }, /HERALD_SMTP_USER: is required with XOAUTH2/],
    ["a plain-http token URL", { HERALD_SMTP_OAUTH_TOKEN_URL: "http://idp.example.com/t" }, /HERALD_SMTP_OAUTH_TOKEN_URL: must be https/],
    ["a password without a user", { HERALD_SMTP_PASSWORD: "p" }, /HERALD_SMTP_USER: is required with HERALD_SMTP_PASSWORD/],
    ["a user without a password", { HERALD_SMTP_USER: "u" }, /HERALD_SMTP_PASSWORD: is required with HERALD_SMTP_USER/],
    ["credentials without TLS", { HERALD_SMTP_TLS: "none", HERALD_SMTP_USER: "u", HERALD_SMTP_PASSWORD: "p" }, /HERALD_SMTP_TLS: none is only for an open relay/],
    ["an unknown TLS mode", { HERALD_SMTP_TLS: "ssl" }, /HERALD_SMTP_TLS: must be starttls, implicit or none/],
    ["a port out of range", { HERALD_SMTP_PORT: "70000" }, /HERALD_SMTP_PORT: must be at most 65535/],
    ["a host with a space", { HERALD_SMTP_HOST: "smtp example.com" }, /HERALD_SMTP_HOST: must be a host name or an IP address/],
    ["a CA file that is missing", { HERALD_SMTP_CA_FILE: join(dir, "nope.pem") }, /HERALD_SMTP_CA_FILE: cannot read .*nope\.pem \(ENOENT\)/],
    ["a CA file without a certificate", { HERALD_SMTP_CA_FILE: file("empty.pem", "not a certificate\n") }, /HERALD_SMTP_CA_FILE: .* holds no PEM certificate/],
  ])("refuses %s with one line naming the variable", (_what, env, message) => {
    // Act & Assess
    expect(fails({ ...relay, ...env })).toThrow(message);
  });

  it("never puts a password in the error", () => {
    // Act
    const error = (() => {
      try {
        loadConfig({ ...BASE, ...relay, HERALD_SMTP_TLS: "none", HERALD_SMTP_USER: "u", HERALD_SMTP_PASSWORD: "hunter2-very-secret" });
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();

    // Assess
    expect(error?.message).toMatch(/HERALD_SMTP_TLS/);
    expect(error?.message).not.toContain("hunter2");
  });
});
