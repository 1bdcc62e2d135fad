export * from "./dynamo-message-store";
export * from "./memory-message-store";
export * from "./message-store";
export * from "./rate-limiter";
