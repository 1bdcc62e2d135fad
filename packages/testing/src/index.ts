export * from "./aws-env";
export * from "./aws-proxy";
export * from "./emulator";
export * from "./factories";
export * from "./provision";
