/// <reference path="./.sst/platform/config.d.ts" />

// Thin on purpose: each concern lives in infra/<concern>.ts. Deploying needs HERALD_EMAIL_FROM
// (see infra/config.ts and DEVELOPERS.md).
export default $config({
  app(input) {
    return {
      name: "herald",
      home: "aws",
      removal: input.stage === "production" ? "retain" : "remove",
      protect: input.stage === "production",
    };
  },
  async run() {
    // Settings first: a missing HERALD_EMAIL_FROM stops here, before any resource is declared.
    await import("./infra/config");
    const { dataKeyAlias } = await import("./infra/keys");
    const { table } = await import("./infra/storage");
    const { queues } = await import("./infra/queues");
    const { QUEUE_NAMES, QUEUES } = await import("@herald/contracts");
    const secrets = await import("./infra/secrets");
    const { email } = await import("./infra/email");
    await import("./infra/sms");
    await import("./infra/secure-store");
    await import("./infra/dead-letters");
    const events = await import("./infra/events");
    const webhooks = await import("./infra/webhooks");
    const { api } = await import("./infra/api");
    await import("./infra/key-policy"); // after the functions whose roles it names

    return {
      api: api.url,
      // emailQueue, emailDlq, smsQueue, ...: every queue of the registry
      ...Object.fromEntries(
        QUEUE_NAMES.flatMap((name) => [
          [`${QUEUES[name].key}Queue`, queues[name].queue.url],
          [`${QUEUES[name].key}Dlq`, queues[name].dlq.url],
        ]),
      ),
      eventsQueue: events.eventsQueue.url,
      eventsDlq: events.eventsDlq.url,
      webhooksQueue: webhooks.webhooksQueue.url,
      webhooksDlq: webhooks.webhooksDlq.url,
      webhookFanoutDlq: webhooks.fanoutDlq.url,
      dataKey: dataKeyAlias.name,
      table: table.name,
      // the SES identity: absent when mail goes only through a relay other than SES's SMTP
      ...(email && { sender: email.sender }),
      // the Secrets Manager secrets declared for this configuration, by name, for
      // `aws secretsmanager put-secret-value --secret-id <name> --secret-string ...`
      ...(secrets.smtpPassword && { secretSmtpPassword: secrets.smtpPassword.name }),
      ...(secrets.smtpOAuthClientSecret && { secretSmtpOAuthClientSecret: secrets.smtpOAuthClientSecret.name }),
      ...(secrets.twilioAuthToken && { secretTwilioAuthToken: secrets.twilioAuthToken.name }),
      ...(secrets.oauthClientSecret && { secretOAuthClientSecret: secrets.oauthClientSecret.name }),
      secretAuditHmacKey: secrets.auditHmacKey.name,
    };
  },
});
