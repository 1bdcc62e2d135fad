export * from "./api-keys";
export * from "./authenticate";
export * from "./dynamo-api-key-store";
export * from "./memory-api-key-store";
export * from "./policy";
