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
    await import("./infra/keys");
    const { table } = await import("./infra/storage");
    const { emailQueue, emailDlq } = await import("./infra/queues");
    const { email } = await import("./infra/email");
    const { api } = await import("./infra/api");

    return {
      api: api.url,
      emailQueue: emailQueue.url,
      emailDlq: emailDlq.url,
      table: table.name,
      sender: email.sender,
    };
  },
});
