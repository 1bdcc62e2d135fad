// The root entry is the ports and the domain: the DynamoDB store is @herald/webhooks/dynamo, the
// in-memory one @herald/webhooks/memory, the guarded HTTP sender @herald/webhooks/http, the
// signer @herald/webhooks/signer.
export * from "./webhook-store";
export * from "./ids";
export * from "./secrets";
export * from "./fanout";
export * from "./url-policy";
