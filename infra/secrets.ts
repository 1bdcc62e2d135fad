import { config, InfraConfigError } from "./config";

/*
 * Provider credentials, kept by SST in SSM as SecureStrings and set per stage:
 *   npx sst secret set TwilioAccountSid AC... --stage you
 *   npx sst secret set TwilioAuthToken ... --stage you
 * Declared only when Twilio is the SMS provider, so an SNS deployment needs none (a declared but
 * unset secret stops `sst deploy` with "Set a value for TwilioAuthToken ...").
 *
 * Only the sms consumer receives them (infra/sms.ts), as HERALD_* environment variables made from
 * each Secret's `.value`: a Pulumi secret Output, kept encrypted in the state and never printed.
 * No `link`: the service reads HERALD_* variables, and linking a Secret would only put the same
 * value in the bundle for SST's Resource object; it grants no IAM rights either way.
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
