import { config, InfraConfigError } from "./config";

/*
 * Provider credentials, kept by SST in SSM as SecureStrings and set per stage:
 *   npx sst secret set TwilioAccountSid AC... --stage you
 *   npx sst secret set TwilioAuthToken ... --stage you
 *   npx sst secret set OAuthClientSecret ... --stage you
 * Each is declared only when its feature is on (Twilio as the SMS provider; OAuth, i.e.
 * HERALD_OAUTH_INTROSPECTION_URL set), so a deployment without them needs none (a declared but
 * unset secret stops `sst deploy` with "Set a value for TwilioAuthToken ...").
 *
 * Only the function that uses a secret receives it, the Twilio ones the sms consumer
 * (infra/sms.ts), the OAuth client secret the authorizer (infra/authorizer.ts), as HERALD_*
 * environment variables made from each Secret's `.value`: a Pulumi secret Output, kept encrypted
 * in the state and never printed. No `link`: the services read HERALD_* variables, and linking a
 * Secret would only put the same value in the bundle for SST's Resource object; it grants no IAM
 * rights either way.
 */
const secrets =
  config.smsProvider === "twilio"
    ? { accountSid: new sst.Secret("TwilioAccountSid"), authToken: new sst.Secret("TwilioAuthToken") }
    : undefined;

/** The Twilio credentials for the sms consumer's environment; undefined unless HERALD_SMS_PROVIDER=twilio. */
export const twilio = secrets && {
  secrets,
  /*
   * Checked as services/sms checks it (AC + 32 hex), so a wrong value stops `sst deploy` instead
   * of every sms consumer start. The message never contains the value.
   */
  accountSid: secrets.accountSid.value.apply((value) => {
    if (!/^AC[0-9a-fA-F]{32}$/.test(value)) {
      throw new InfraConfigError(
        "TwilioAccountSid",
        `the secret must be an account SID (AC + 32 hex): npx sst secret set TwilioAccountSid AC... --stage ${$app.stage}`,
      );
    }
    return value;
  }),
  authToken: secrets.authToken.value,
};

/**
 * The secret the authorizer introspects tokens with (HTTP Basic, with HERALD_OAUTH_CLIENT_ID);
 * undefined unless HERALD_OAUTH_INTROSPECTION_URL is set.
 */
export const oauthClientSecret = config.oauth && new sst.Secret("OAuthClientSecret");
