import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { DynamoDBRecord } from "aws-lambda";
import type { StreamChange } from "../domain/fan-out";

/** The stream record's fields both sources share (Lambda's event and GetRecords' answer). */
type RawRecord = {
  eventID?: string | undefined;
  eventName?: string | undefined;
  dynamodb?:
    | {
        Keys?: Record<string, unknown> | undefined;
        NewImage?: Record<string, unknown> | undefined;
        OldImage?: Record<string, unknown> | undefined;
        SequenceNumber?: string | undefined;
      }
    | undefined;
};

// Lambda's event and the streams client both give images as DynamoDB's attribute values.
const image = (value: Record<string, unknown> | undefined) => (value ? unmarshall(value as Record<string, AttributeValue>) : undefined);

export function toStreamChange(record: RawRecord | DynamoDBRecord): StreamChange {
  const raw = record as RawRecord;
  const keys = image(raw.dynamodb?.Keys);
  return {
    eventId: raw.eventID ?? raw.dynamodb?.SequenceNumber ?? "",
    eventName: raw.eventName === "INSERT" || raw.eventName === "REMOVE" ? raw.eventName : "MODIFY",
    sequenceNumber: raw.dynamodb?.SequenceNumber ?? "",
    pk: typeof keys?.pk === "string" ? keys.pk : undefined,
    sk: typeof keys?.sk === "string" ? keys.sk : undefined,
    newImage: image(raw.dynamodb?.NewImage),
    oldImage: image(raw.dynamodb?.OldImage),
  };
}
