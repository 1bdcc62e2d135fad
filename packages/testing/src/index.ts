export * from "./aws-env";
export * from "./aws-proxy";
export * from "./certificates";
export * from "./emulator";
export * from "./factories";
export * from "./oauth-server";
export * from "./provision";
export * from "./smtp-server";
