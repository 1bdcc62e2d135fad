export { DynamoMessageStore, toRecord as recordFromItem } from "./dynamo-message-store";
export { DynamoRateLimiter } from "./dynamo-rate-limiter";
export { DynamoSuppressionList } from "./dynamo-suppression-list";
