import { config } from "./config";

/*
 * Provider credentials, kept by SST in SSM as SecureStrings and set per stage:
 *   npx sst secret set TwilioAccountSid AC... --stage you
 *   npx sst secret set TwilioAuthToken ... --stage you
 * Declared only when Twilio is the SMS provider, so an SNS deployment needs none. Only the sms
 * consumer receives them (infra/sms.ts).
 */
export const twilio =
  config.smsProvider === "twilio"
    ? { accountSid: new sst.Secret("TwilioAccountSid"), authToken: new sst.Secret("TwilioAuthToken") }
    : undefined;
