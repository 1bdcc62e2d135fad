import { createSecrets } from "@herald/platform/secrets";
import { systemClock } from "@herald/platform";
import type { SmtpSettings } from "@herald/settings";
import { ClientCredentialsTokens } from "./adapters/client-credentials-tokens";
import { SmtpEmailSender, type SmtpAuth } from "./adapters/smtp-email-sender";
import type { EmailConfig } from "./config";

/** The SMTP relay as deps.ts composes it, apart so that it loads only when the relay is used. */
export function smtpSender(smtp: SmtpSettings, config: EmailConfig): SmtpEmailSender {
  const secret = createSecrets({ maxAgeSeconds: config.secretsMaxAgeSeconds });
  const auth: SmtpAuth =
    smtp.auth.kind === "password"
      ? { kind: "password", user: smtp.auth.user, password: secret(smtp.auth.password, "HERALD_SMTP_PASSWORD") }
      : smtp.auth.kind === "oauth"
        ? {
            kind: "oauth",
            user: smtp.auth.user,
            tokens: new ClientCredentialsTokens({
              tokenUrl: smtp.auth.tokenUrl,
              clientId: smtp.auth.clientId,
              clientSecret: secret(smtp.auth.clientSecret, "HERALD_SMTP_OAUTH_CLIENT_SECRET"),
              scope: smtp.auth.scope,
              timeoutMs: config.sendTimeoutMs,
              clock: systemClock,
            }),
          }
        : { kind: "none" };
  return new SmtpEmailSender({
    host: smtp.host,
    port: smtp.port,
    tls: smtp.tls,
    extraCa: smtp.extraCa,
    auth,
    timeoutMs: config.sendTimeoutMs,
    idleTimeoutMs: smtp.idleTimeoutMs,
  });
}
