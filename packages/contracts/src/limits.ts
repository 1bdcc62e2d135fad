/**
 * Request bodies are capped so that every queue payload stays under SQS's 256 KiB limit
 * (a store_secure message travels to the secure-store queue with its content, plus the envelope)
 * and every DynamoDB item under its 400 KB limit.
 */
export const MAX_BODY_BYTES = 192 * 1024;
export const MAX_RECIPIENTS = 50;
export const MAX_SUBJECT_CHARS = 998;
export const MAX_SEND_AT_AHEAD_SECONDS = 15 * 60;
export const MAX_METADATA_ENTRIES = 10;
export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 25;
