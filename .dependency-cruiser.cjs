/**
 * Herald's dependency rules (STYLE.md, "Layout"), checked by `npm run lint` as part of
 * `npm run typecheck`, so a rule that breaks fails CI. Paths are the real ones: workspace
 * packages resolve through their node_modules links to packages/<name>/src.
 */
module.exports = {
  forbidden: [
    {
      name: "no-service-to-service",
      comment: "A service never imports another service: what two share lives in packages/.",
      severity: "error",
      from: { path: "^services/([^/]+)/" },
      to: { path: "^services/", pathNot: "^services/$1/" },
    },
    {
      name: "no-package-to-service",
      comment: "Packages never import services.",
      severity: "error",
      from: { path: "^packages/" },
      to: { path: "^services/" },
    },
    {
      name: "domain-imports-no-adapter",
      comment: "domain/ holds the use cases: no AWS SDK, no HTTP framework, no adapter, no entry point.",
      severity: "error",
      from: { path: "/src/domain/" },
      to: { path: ["node_modules/@aws-sdk/", "node_modules/hono/", "node_modules/@hono/", "/src/adapters/", "/src/entrypoints/"] },
    },
    {
      name: "domain-reaches-no-sdk",
      comment:
        "What a use case loads, through any chain of imports, holds no AWS SDK, no Hono and no adapter: " +
        "it takes ports and errors from a package's root entry, never from an adapter subpath " +
        "(@herald/messages/dynamo, @herald/queue/sqs, ...). Type-only imports count, as in the rule above.",
      severity: "error",
      from: { path: ["/src/domain/", "/src/ports/", "^packages/delivery/src/(deliver|sender|provider-errors)\\.ts$"] },
      to: { reachable: true, path: ["node_modules/@aws-sdk/", "node_modules/hono/", "node_modules/@hono/", "/src/adapters/", "/src/entrypoints/"] },
    },
    {
      name: "package-root-reaches-no-sdk",
      comment:
        "A package's root entry is its ports and pure helpers; an adapter, and the AWS SDK it loads, comes " +
        "from a named subpath (package.json exports). packages/testing is test tooling.",
      severity: "error",
      from: { path: "^packages/[^/]+/src/index\\.ts$", pathNot: "^packages/testing/" },
      to: { reachable: true, path: "node_modules/@aws-sdk/" },
    },
    {
      name: "phone-metadata-only-where-sms-is-accepted",
      comment:
        "libphonenumber's metadata and the SMS segment counter (~230 KB minified) are loaded only where a caller's " +
        "SMS is checked: @herald/contracts/send and @herald/settings/sms-policy, used by the ingest API (and sst " +
        "deploy). A package's root entry and every other service's entry point reach neither (issue 16: lean Lambdas).",
      severity: "error",
      from: { path: ["^packages/[^/]+/src/index\\.ts$", "^services/(?!ingest/)[^/]+/src/entrypoints/"], pathNot: "^packages/testing/" },
      to: { reachable: true, path: ["node_modules/libphonenumber-js/", "node_modules/sms-segments-calculator/"] },
    },
    {
      name: "domain-imports-no-process",
      comment: "domain/ never reads the process (environment, argv): a service's config.ts does.",
      severity: "error",
      from: { path: "/src/domain/" },
      to: { dependencyTypes: ["core"], path: "^(node:)?(process|child_process|cluster)$" },
    },
    {
      name: "src-imports-no-test",
      comment: "Application code never depends on test code.",
      severity: "error",
      from: { path: "^(packages|services)/[^/]+/src/" },
      to: { path: "^(packages|services)/[^/]+/test/" },
    },
    {
      name: "test-helpers-only-in-tests",
      comment: "@herald/delivery/testing (fake senders, queue peeking) is for tests: application code never imports it.",
      severity: "error",
      from: { path: "^(packages|services)/[^/]+/src/" },
      to: { path: "^packages/delivery/src/testing\\.ts$" },
    },
    {
      name: "no-circular",
      comment: "Cycles make the load order matter and the seams meaningless.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: ["^\\.sst/", "node_modules/\\.cache"] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.base.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "types", "default"], extensions: [".ts", ".js", ".mjs", ".json"] },
  },
};
