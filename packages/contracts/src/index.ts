// The root entry is what every service shares: channels, records, envelopes, roles, the API's
// answers. What a caller sends and how it is checked (message.ts: phone numbers against
// libphonenumber's metadata, SMS segments; the legacy /msg parameters) is
// @herald/contracts/send, which only the ingest API loads: the consumers and the authorizer
// carry none of it.
export * from "./channels";
export * from "./address";
export * from "./content-recipients";
export * from "./api";
export * from "./envelope";
export * from "./limits";
export * from "./record";
export * from "./roles";
export * from "./status";
export * from "./suppression";
export * from "./text";
export * from "./webhooks";
