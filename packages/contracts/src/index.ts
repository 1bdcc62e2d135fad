export * from "./address";
export * from "./api";
export * from "./envelope";
export * from "./limits";
export * from "./message";
export * from "./record";
export * from "./roles";
export * from "./status";
