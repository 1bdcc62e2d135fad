// What a caller sends, as the ingest API checks it (see index.ts for why it is apart).
export * from "./channel-content";
export * from "./legacy";
export * from "./message";
export * from "./phone";
