export * from "./data-keys";
export * from "./envelope-cipher";
export * from "./kms-data-key-provider";
