/*
 * The one DynamoDB table, `messages` (HASH pk, RANGE sk), and every kind of item in it. This
 * module owns the key layout: the adapters build their keys here, infra and local provisioning
 * create the table from TABLE, and IAM's dynamodb:LeadingKeys conditions name the partitions a
 * function may touch from PARTITIONS. Dependency-free, so infra can import it.
 *
 *   pk                             sk                    item
 *   MSG#<id>                       MSG                   a message record: status, recipients, history, small content
 *   MSG#<id>                       CONTENT               its bulky parts, apart so status writes never rewrite them:
 *                                                        content too big to keep in the record, the sealed content
 *   RCPT#<tenant>#<recipient>      <created_at>#<id>     a recipient's history entry (the field
 *                                                        report's msg_id + timestamp, per tenant)
 *   AUDIT#<tenant>#<hmac>          <at>#<uuid>           an erasure of one recipient: who, when, how many;
 *                                                        the recipient only as its keyed HMAC, so a repeated
 *                                                        erasure finds the first one without the address
 *   IDEM#<tenant>#<sha256>         IDEM                  an Idempotency-Key's claim (its message id, a
 *                                                        lease while in progress) and response
 *   APIKEY                         <sha256 of the key>   an API key's hash, principal, tenant, roles
 *   RATE#<name>                    schedule              a send rate's timeline: when its next slot is free
 *   QUOTA#<tenant>                 <counter>#<UTC day>   a tenant's daily quota counter (sms#2026-11-23)
 *   SUPP#<tenant>                  <recipient>           a suppressed address or number: why, since when, which
 *                                                        message caused it (a bounce, a complaint, an unsubscribe)
 *   WH#<tenant>                    <webhook id>          a webhook endpoint: url, event types, its secrets sealed
 *                                                        under KMS, whether it is enabled or failing
 *   WHD#<tenant>#<webhook id>      <delivery id>         one event's delivery to that endpoint and its attempts
 *                                                        (ids sort by time, so a Query reads newest first)
 */

/** The table's shape, as infra (sst.aws.Dynamo) and provisioning (CreateTable) create it. */
export const TABLE = {
  hashKey: "pk",
  rangeKey: "sk",
  /** Items with this epoch-seconds attribute expire (idempotency keys, rate windows, quota days). */
  ttlAttribute: "expires_at",
} as const;

/** The partition key prefixes, by item kind. */
export const PARTITIONS = {
  message: "MSG#",
  recipient: "RCPT#",
  audit: "AUDIT#",
  idempotency: "IDEM#",
  apiKey: "APIKEY",
  rate: "RATE#",
  quota: "QUOTA#",
  suppression: "SUPP#",
  webhook: "WH#",
  webhookDelivery: "WHD#",
} as const;
export type Partition = keyof typeof PARTITIONS;

export type TableKey = { pk: string; sk: string };

export const messageKey = (id: string): TableKey => ({ pk: `${PARTITIONS.message}${id}`, sk: "MSG" });
/** The message's content item (see the table above): the record's partition, so one Query reads both. */
export const messageContentKey = (id: string): TableKey => ({ pk: `${PARTITIONS.message}${id}`, sk: "CONTENT" });
export const recipientPartition = (tenant: string, recipient: string) => `${PARTITIONS.recipient}${tenant}#${recipient}`;
/** One recipient's erasures in one tenant, by the recipient's HMAC (never the address). */
export const auditPartition = (tenant: string, recipientHmac: string) => `${PARTITIONS.audit}${tenant}#${recipientHmac}`;
export const auditKey = (tenant: string, recipientHmac: string, at: string, unique: string): TableKey => ({
  pk: auditPartition(tenant, recipientHmac),
  sk: `${at}#${unique}`,
});
export const idempotencyKey = (tenant: string, digest: string): TableKey => ({ pk: `${PARTITIONS.idempotency}${tenant}#${digest}`, sk: "IDEM" });
export const apiKeyKey = (keyHash: string): TableKey => ({ pk: PARTITIONS.apiKey, sk: keyHash });
/** A send rate's shared schedule (`schedule`: the next free slot, see DynamoRateLimiter). */
export const rateKey = (name: string, item: string): TableKey => ({ pk: `${PARTITIONS.rate}${name}`, sk: item });
/** `day` is the UTC date, YYYY-MM-DD. */
export const quotaKey = (tenant: string, counter: string, day: string): TableKey => ({ pk: `${PARTITIONS.quota}${tenant}`, sk: `${counter}#${day}` });

export const suppressionPartition = (tenant: string) => `${PARTITIONS.suppression}${tenant}`;
/** `recipient` is canonical (lower-case address, E.164 number). */
export const suppressionKey = (tenant: string, recipient: string): TableKey => ({ pk: suppressionPartition(tenant), sk: recipient });

/**
 * The values of an IAM `ForAllValues:StringLike` condition on `dynamodb:LeadingKeys` that lets a
 * function touch these kinds of item only: `["MSG#*", "RATE#*"]`; APIKEY is matched exactly.
 */
export function leadingKeys(...kinds: readonly Partition[]): string[] {
  return kinds.map((kind) => (PARTITIONS[kind].endsWith("#") ? `${PARTITIONS[kind]}*` : PARTITIONS[kind]));
}

export const webhookPartition = (tenant: string) => `${PARTITIONS.webhook}${tenant}`;
export const webhookKey = (tenant: string, id: string): TableKey => ({ pk: webhookPartition(tenant), sk: id });
export const webhookDeliveryPartition = (tenant: string, webhookId: string) => `${PARTITIONS.webhookDelivery}${tenant}#${webhookId}`;
export const webhookDeliveryKey = (tenant: string, webhookId: string, deliveryId: string): TableKey => ({
  pk: webhookDeliveryPartition(tenant, webhookId),
  sk: deliveryId,
});
