export * from "./backoff";
export * from "./lambda-handler";
export * from "./process-records";
export * from "./publisher";
export * from "./worker";
