/**
 * Herald's dependency rules (STYLE.md, "Layout"), checked by `npm run lint:deps` as part of
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
