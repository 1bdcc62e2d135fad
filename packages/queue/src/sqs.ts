export { backoffSeconds, DEFAULT_BACKOFF, queueUrlFromArn, visibilityBackoff, type BackoffPolicy } from "./backoff";
export { createSqsHandler } from "./lambda-handler";
export { SqsMessageQueue } from "./publisher";
export { runWorkerProcess, startSqsWorker, type Worker, type WorkerOptions } from "./worker";
