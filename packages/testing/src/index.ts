export * from "./aws-env";
export * from "./emulator";
export * from "./factories";
export * from "./provision";
