export { backoffSeconds, DEFAULT_BACKOFF, queueUrlFromArn, visibilityBackoff, type BackoffPolicy } from "./backoff";
export { createSqsHandler, type LambdaContext } from "./lambda-handler";
export { SqsMessageQueue } from "./publisher";
export { runWorkerProcess, startSqsWorker, type Worker, type WorkerOptions } from "./worker";
