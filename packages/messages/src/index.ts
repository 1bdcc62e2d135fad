// The root entry is the ports: the DynamoDB adapters are @herald/messages/dynamo, the in-memory
// store @herald/messages/memory.
export {
  decodeCursor,
  encodeCursor,
  historySortKey,
  InvalidCursorError,
  transitionEvent,
  type ClaimResult,
  type AppliedEvent,
  type DeadLetter,
  type EraseRequest,
  type ErasureResult,
  type ListByRecipientQuery,
  type MessagePageResult,
  type MessageStore,
  type Transition,
} from "./message-store";
export { unlimited, type RateLimiter } from "./rate-limiter";
export { applyProviderEvent, deriveStatus, supersedes, type OutcomeChange, type ProviderEvent } from "./outcomes";
export { decodeSuppressionCursor, encodeSuppressionCursor, type SuppressionList, type SuppressionPageResult } from "./suppressions";
