export * from "./config";
export * from "./deliver";
export * from "./provider-errors";
export * from "./sender";
