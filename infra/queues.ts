import { key } from "./keys";

/** Receives before a message goes to the dead-letter queue; the email consumer is told the same number. */
export const EMAIL_MAX_RECEIVES = 5;

/** The email consumer's Lambda timeout, in seconds; the queue's visibility timeout derives from it. */
export const EMAIL_CONSUMER_TIMEOUT_SECONDS = 30;

// Both queues use the app's KMS key. A data key is reused for 5 minutes (the SQS default),
// so KMS sees one GenerateDataKey per producer every 5 minutes, not one per message.
const encrypted = {
  kmsMasterKeyId: key.arn,
  kmsDataKeyReusePeriodSeconds: 300,
};

export const emailDlq = new sst.aws.Queue("EmailDlq", {
  transform: {
    queue: {
      ...encrypted,
      // Maximum retention: time to inspect and redrive what failed.
      messageRetentionSeconds: 14 * 24 * 60 * 60,
    },
  },
});

export const emailQueue = new sst.aws.Queue("EmailQueue", {
  dlq: { queue: emailDlq.arn, retry: EMAIL_MAX_RECEIVES },
  // AWS guidance for Lambda consumers: at least six times the function timeout, so a batch that
  // is retried inside the event source mapping does not reappear while still being worked on.
  visibilityTimeout: `${EMAIL_CONSUMER_TIMEOUT_SECONDS * 6} seconds`,
  transform: {
    queue: encrypted,
  },
});
