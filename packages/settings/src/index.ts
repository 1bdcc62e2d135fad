export * from "./cors";
export * from "./email";
export * from "./env";
export * from "./oauth";
export * from "./secrets";
export * from "./senders";
export * from "./sms";
export * from "./smtp";
