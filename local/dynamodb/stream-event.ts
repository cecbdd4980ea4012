/**
 * DynamoDB Streams records (as `@aws-sdk/client-dynamodb-streams` returns them) turned into
 * the records Lambda hands a DynamoDB-stream handler. Types come from `@types/aws-lambda`
 * (a dev dependency of the project), so handlers are typed exactly as in the cloud.
 *
 * Differences Lambda makes, reproduced here: `ApproximateCreationDateTime` is epoch seconds
 * (the SDK gives a Date), binary values are base64 strings (the SDK gives bytes), each record
 * carries `eventSourceARN`, and `awsRegion` is the table's region (DynamoDB Local reports
 * "ddblocal").
 */
import type { AttributeValue as SdkAttributeValue, _Record as SdkRecord } from '@aws-sdk/client-dynamodb-streams';
import type { AttributeValue, DynamoDBRecord, StreamRecord } from 'aws-lambda';

export type { DynamoDBRecord, DynamoDBStreamEvent, DynamoDBBatchResponse } from 'aws-lambda';

export class UnsupportedAttributeValueError extends Error {
  override readonly name = 'UnsupportedAttributeValueError';
  constructor(keys: string) {
    super(`stream record holds an attribute value of unknown shape (keys: ${keys})`);
  }
}

export function toLambdaRecord(record: SdkRecord, context: { readonly streamArn: string; readonly region: string }): DynamoDBRecord {
  const out: DynamoDBRecord = {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: record.eventSource ?? 'aws:dynamodb',
    awsRegion: context.region,
    dynamodb: record.dynamodb === undefined ? undefined : toStreamRecord(record.dynamodb),
    eventSourceARN: context.streamArn,
  };
  if (record.userIdentity !== undefined)
    out.userIdentity = { type: record.userIdentity.Type, principalId: record.userIdentity.PrincipalId };
  return out;
}

function toStreamRecord(s: NonNullable<SdkRecord['dynamodb']>): StreamRecord {
  const out: StreamRecord = {};
  if (s.ApproximateCreationDateTime !== undefined)
    out.ApproximateCreationDateTime = Math.floor(s.ApproximateCreationDateTime.getTime() / 1000);
  if (s.Keys !== undefined) out.Keys = toLambdaItem(s.Keys);
  if (s.NewImage !== undefined) out.NewImage = toLambdaItem(s.NewImage);
  if (s.OldImage !== undefined) out.OldImage = toLambdaItem(s.OldImage);
  if (s.SequenceNumber !== undefined) out.SequenceNumber = s.SequenceNumber;
  if (s.SizeBytes !== undefined) out.SizeBytes = s.SizeBytes;
  if (s.StreamViewType !== undefined) out.StreamViewType = s.StreamViewType;
  return out;
}

export function toLambdaItem(item: Record<string, SdkAttributeValue>): Record<string, AttributeValue> {
  return Object.fromEntries(Object.entries(item).map(([name, value]) => [name, toLambdaAttributeValue(value)]));
}

export function toLambdaAttributeValue(v: SdkAttributeValue): AttributeValue {
  if (v.S !== undefined) return { S: v.S };
  if (v.N !== undefined) return { N: v.N };
  if (v.BOOL !== undefined) return { BOOL: v.BOOL };
  if (v.NULL !== undefined) return { NULL: v.NULL };
  if (v.B !== undefined) return { B: Buffer.from(v.B).toString('base64') };
  if (v.SS !== undefined) return { SS: [...v.SS] };
  if (v.NS !== undefined) return { NS: [...v.NS] };
  if (v.BS !== undefined) return { BS: v.BS.map((b) => Buffer.from(b).toString('base64')) };
  if (v.L !== undefined) return { L: v.L.map(toLambdaAttributeValue) };
  if (v.M !== undefined) return { M: toLambdaItem(v.M) };
  throw new UnsupportedAttributeValueError(Object.keys(v).join(','));
}
