/**
 * The bench's own look-ups and puts, made straight to the emulator (never through the counting
 * proxy, so none of them is a figure): the table's stream, as Lambda's event source mapping
 * would see it, and putting an SNS delivery on a queue, as SNS does on AWS. Raw JSON-protocol
 * requests, like rawDynamo, so the bench needs no client of its own for them.
 */
type Json = Record<string, unknown>;

async function call(endpoint: string, target: string, contentType: string, service: string, body: unknown): Promise<Json> {
  // moto answers an occasional 500 under load: asked again, as the SDK would
  for (let attempt = 1; ; attempt++) {
    const response = await fetch(endpoint, {
      method: "POST",
      headers: {
        "content-type": contentType,
        "x-amz-target": target,
        authorization: `AWS4-HMAC-SHA256 Credential=bench/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=0`,
      },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    if (response.status < 500) {
      const json = JSON.parse(text || "{}") as Json;
      if (response.status >= 400) throw new Error(`moto ${target}: ${response.status} ${text.slice(0, 200)}`);
      return json;
    }
    if (attempt === 5) throw new Error(`moto ${target}: ${response.status} ${text.slice(0, 200)}`);
    await new Promise((r) => setTimeout(r, 50 * attempt));
  }
}

/** One record of the table's stream: its partition key and when the change was made (epoch ms). */
export type StreamRecord = { pk: string; at: number; eventName: string };

/** Every record the table's stream holds (each shard from its start). */
export async function readStream(endpoint: string, tableName: string): Promise<StreamRecord[]> {
  const table = (await call(endpoint, "DynamoDB_20120810.DescribeTable", "application/x-amz-json-1.0", "dynamodb", { TableName: tableName })).Table as { LatestStreamArn?: string };
  const streamArn = table.LatestStreamArn;
  if (!streamArn) throw new Error(`the table ${tableName} has no stream`);
  const streams = (target: string, body: unknown) => call(endpoint, `DynamoDBStreams_20120810.${target}`, "application/x-amz-json-1.0", "dynamodb", body);
  const description = (await streams("DescribeStream", { StreamArn: streamArn })).StreamDescription as { Shards?: { ShardId: string }[] };
  const records: StreamRecord[] = [];
  for (const { ShardId } of description.Shards ?? []) {
    let iterator = (await streams("GetShardIterator", { StreamArn: streamArn, ShardId, ShardIteratorType: "TRIM_HORIZON" })).ShardIterator as string | undefined;
    while (iterator) {
      const page = await streams("GetRecords", { ShardIterator: iterator, Limit: 1000 });
      type Raw = { eventName: string; dynamodb: { ApproximateCreationDateTime: number | string; Keys: { pk?: { S?: string } } } };
      const got = (page.Records as Raw[] | undefined) ?? [];
      for (const r of got) {
        const at = r.dynamodb.ApproximateCreationDateTime;
        records.push({ pk: r.dynamodb.Keys.pk?.S ?? "", eventName: r.eventName, at: typeof at === "number" ? at * 1000 : Date.parse(at) });
      }
      if (got.length === 0) break;
      iterator = page.NextShardIterator as string | undefined;
    }
  }
  return records;
}

/** Puts one message on a queue, as SNS delivers to its SQS subscription on AWS. */
export async function sendToQueue(endpoint: string, queueUrl: string, body: string): Promise<void> {
  await call(endpoint, "AmazonSQS.SendMessage", "application/x-amz-json-1.0", "sqs", { QueueUrl: queueUrl, MessageBody: body });
}
