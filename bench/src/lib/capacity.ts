/**
 * DynamoDB capacity per call, as DynamoDB bills it, worked out from the items themselves.
 *
 * moto (5.2.1) does answer ReturnConsumedCapacity, but with a constant (1.0 for a write, 0.5 for
 * a read, whatever the item's size) and nothing for a failed conditional write, so its figures
 * are not the bill. Instead the bench's proxy reads each item a write touches, straight from the
 * emulator, before and after the write, and applies DynamoDB's rules
 * (docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html):
 *
 * - an item's size is its attribute names plus values (strings UTF-8, numbers ~1 byte per two
 *   digits + 1, binary its bytes, booleans and nulls 1, lists and maps 3 + their elements + 1 per element);
 * - a write costs 1 WRU per started KB of the larger of the item before and after it (PutItem,
 *   UpdateItem), of the deleted item (DeleteItem), each item of a BatchWriteItem on its own; a
 *   conditional write that fails still costs what the item weighs (at least 1);
 *   TransactWriteItems twice that;
 * - a read costs per started 4 KB: 1 RRU strongly consistent, 0.5 eventually; a GetItem that
 *   finds nothing still costs the minimum; a Query sums the sizes of what it returns first.
 */
type AttributeValue = Record<string, unknown>;
type Item = Record<string, AttributeValue>;

const utf8 = (s: string) => Buffer.byteLength(s, "utf8");

function numberSize(n: string): number {
  const digits = n.replace(/^-/, "").replace(".", "").replace(/^0+/, "").replace(/0+$/, "");
  return Math.ceil(Math.max(1, digits.length) / 2) + 1;
}

function valueSize(v: AttributeValue): number {
  if ("S" in v) return utf8(String(v.S));
  if ("N" in v) return numberSize(String(v.N));
  if ("B" in v) return Buffer.from(String(v.B), "base64").length;
  if ("BOOL" in v || "NULL" in v) return 1;
  if ("SS" in v) return (v.SS as string[]).reduce((a, s) => a + utf8(s), 0);
  if ("NS" in v) return (v.NS as string[]).reduce((a, s) => a + numberSize(s), 0);
  if ("BS" in v) return (v.BS as string[]).reduce((a, s) => a + Buffer.from(s, "base64").length, 0);
  if ("L" in v) return 3 + (v.L as AttributeValue[]).reduce((a, e) => a + 1 + valueSize(e), 0);
  if ("M" in v) return 3 + Object.entries(v.M as Item).reduce((a, [k, e]) => a + 1 + utf8(k) + valueSize(e), 0);
  return 0;
}

export function itemSize(item: Item | undefined): number {
  if (!item) return 0;
  return Object.entries(item).reduce((a, [name, v]) => a + utf8(name) + valueSize(v), 0);
}

export const writeUnits = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));
export const readUnits = (bytes: number, consistent: boolean) => Math.max(1, Math.ceil(bytes / 4096)) * (consistent ? 1 : 0.5);

/** The emulator's own DynamoDB, asked directly (not through the proxy, so never counted). */
export function rawDynamo(endpoint: string) {
  // moto answers an occasional 500 (an HTML page) under load: asked again, as the SDK would
  const call = async (op: string, body: unknown): Promise<Record<string, unknown>> => {
    for (let attempt = 1; ; attempt++) {
      const response = await fetch(endpoint, {
        method: "POST",
        headers: {
          "content-type": "application/x-amz-json-1.0",
          "x-amz-target": `DynamoDB_20120810.${op}`,
          authorization: "AWS4-HMAC-SHA256 Credential=bench/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0",
        },
        body: JSON.stringify(body),
      });
      const text = await response.text();
      if (response.status < 500) return JSON.parse(text) as Record<string, unknown>;
      if (attempt === 5) throw new Error(`moto ${op}: ${response.status} ${text.slice(0, 200)}`);
      await new Promise((r) => setTimeout(r, 50 * attempt));
    }
  };
  const keyNames = new Map<string, Promise<string[]>>();
  return {
    call,
    async keyOf(table: string, item: Item): Promise<Item> {
      let names = keyNames.get(table);
      if (!names) {
        names = call("DescribeTable", { TableName: table }).then((r) =>
          ((r.Table as { KeySchema: { AttributeName: string }[] }).KeySchema ?? []).map((k) => k.AttributeName),
        );
        keyNames.set(table, names);
      }
      return Object.fromEntries((await names).map((n) => [n, item[n] ?? { S: "" }]));
    },
    async get(table: string, key: Item): Promise<Item | undefined> {
      const r = await call("GetItem", { TableName: table, Key: key, ConsistentRead: true });
      return r.Item as Item | undefined;
    },
  };
}

export type CapacityEntry = { operation: string; partition: string; wru: number; rru: number; failed: boolean };

/** The partition kind of a key: `MSG#…` → `MSG#`, `APIKEY` → `APIKEY`. */
export const partitionOf = (key: Item | undefined) => {
  const pk = String((key?.pk as { S?: string } | undefined)?.S ?? "");
  const hash = pk.indexOf("#");
  return hash >= 0 ? pk.slice(0, hash + 1) : pk;
};

/**
 * A proxy `inspect` hook that records the capacity of every DynamoDB call into `sink`. Reads
 * the items a write touches before it passes on and again once the emulator answered.
 */
export function capacityInspector(endpoint: string, sink: (entry: CapacityEntry) => void) {
  const db = rawDynamo(endpoint);
  return async (operation: string, text: string) => {
    if (!operation.startsWith("DynamoDB.")) return undefined;
    const op = operation.slice("DynamoDB.".length);
    const body = JSON.parse(text || "{}") as Record<string, unknown>;
    const table = String(body.TableName ?? "");
    const consistent = body.ConsistentRead === true;

    if (op === "GetItem") {
      return ({ body: answer }: { body: string }) => {
        const item = (JSON.parse(answer || "{}") as { Item?: Item }).Item;
        sink({ operation: op, partition: partitionOf(body.Key as Item), wru: 0, rru: readUnits(itemSize(item), consistent), failed: false });
      };
    }
    if (op === "Query" || op === "Scan") {
      return ({ body: answer }: { body: string }) => {
        const items = (JSON.parse(answer || "{}") as { Items?: Item[] }).Items ?? [];
        const pk = (body.ExpressionAttributeValues as Item | undefined)?.[":pk"];
        const partition = partitionOf(pk ? { pk } : undefined);
        sink({ operation: op, partition, wru: 0, rru: readUnits(items.reduce((a, i) => a + itemSize(i), 0), consistent), failed: false });
      };
    }
    if (op === "BatchGetItem") {
      return ({ body: answer }: { body: string }) => {
        const responses = (JSON.parse(answer || "{}") as { Responses?: Record<string, Item[]> }).Responses ?? {};
        const requested = body.RequestItems as Record<string, { ConsistentRead?: boolean }>;
        for (const [t, items] of Object.entries(responses)) {
          for (const item of items) {
            sink({ operation: op, partition: partitionOf(item), wru: 0, rru: readUnits(itemSize(item), requested[t]?.ConsistentRead === true), failed: false });
          }
        }
      };
    }
    if (op === "PutItem" || op === "UpdateItem" || op === "DeleteItem") {
      const key = op === "PutItem" ? await db.keyOf(table, body.Item as Item) : (body.Key as Item);
      const before = await db.get(table, key);
      return async ({ status }: { status: number }) => {
        const after = status === 200 && op !== "DeleteItem" ? await db.get(table, key) : before;
        const bytes = op === "PutItem" && status === 200 ? Math.max(itemSize(before), itemSize(body.Item as Item)) : Math.max(itemSize(before), itemSize(after));
        sink({ operation: op, partition: partitionOf(key), wru: writeUnits(bytes), rru: 0, failed: status !== 200 });
      };
    }
    if (op === "BatchWriteItem" || op === "TransactWriteItems") {
      type Write = { table: string; put?: Item; key: Item };
      const writes: Write[] = [];
      if (op === "BatchWriteItem") {
        for (const [t, requests] of Object.entries(body.RequestItems as Record<string, { PutRequest?: { Item: Item }; DeleteRequest?: { Key: Item } }[]>)) {
          for (const r of requests) {
            if (r.PutRequest) writes.push({ table: t, put: r.PutRequest.Item, key: await db.keyOf(t, r.PutRequest.Item) });
            else if (r.DeleteRequest) writes.push({ table: t, key: r.DeleteRequest.Key });
          }
        }
      } else {
        for (const w of body.TransactItems as Record<string, { TableName: string; Item?: Item; Key?: Item }>[]) {
          const [kind, inner] = Object.entries(w)[0] ?? [];
          if (!inner || kind === "ConditionCheck") continue;
          writes.push({ table: inner.TableName, ...(inner.Item && { put: inner.Item }), key: inner.Key ?? (await db.keyOf(inner.TableName, inner.Item ?? {})) });
        }
      }
      const before = await Promise.all(writes.map((w) => db.get(w.table, w.key)));
      return async ({ status }: { status: number }) => {
        const after = await Promise.all(writes.map((w) => db.get(w.table, w.key)));
        writes.forEach((w, i) => {
          const bytes = Math.max(itemSize(before[i]), itemSize(after[i]), w.put ? itemSize(w.put) : 0);
          const units = writeUnits(bytes) * (op === "TransactWriteItems" ? 2 : 1);
          sink({ operation: op, partition: partitionOf(w.key), wru: units, rru: 0, failed: status !== 200 });
        });
      };
    }
    return undefined;
  };
}
