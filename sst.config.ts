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
    const queues = await import("./infra/queues");
    await import("./infra/secrets");
    const { email } = await import("./infra/email");
    await import("./infra/sms");
    await import("./infra/secure-store");
    const { api } = await import("./infra/api");

    return {
      api: api.url,
      emailQueue: queues.emailQueue.url,
      emailDlq: queues.emailDlq.url,
      smsQueue: queues.smsQueue.url,
      smsDlq: queues.smsDlq.url,
      secureQueue: queues.secureQueue.url,
      secureDlq: queues.secureDlq.url,
      dataKey: dataKeyAlias.name,
      table: table.name,
      sender: email.sender,
    };
  },
});
