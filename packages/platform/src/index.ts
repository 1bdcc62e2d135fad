export * from "./clock";
export * from "./config";
export * from "./errors";
export * from "./logger";
export * from "./mask";
export * from "./secrets";
