export * from "./data-keys";
export * from "./envelope-cipher";
export * from "./kms-data-key-provider";
export * from "./memory-data-key-provider";
export * from "./secure-content";
