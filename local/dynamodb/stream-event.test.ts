import type { _Record as SdkRecord } from '@aws-sdk/client-dynamodb-streams';
import { describe, expect, it } from 'vitest';
import { toLambdaRecord } from './stream-event.js';

function sdkRecordFactory(overrides: Partial<SdkRecord> = {}): SdkRecord {
  return {
    eventID: 'e-1',
    eventName: 'MODIFY',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'ddblocal',
    dynamodb: {
      ApproximateCreationDateTime: new Date('2025-01-02T03:04:05.678Z'),
      Keys: { id: { S: 'a' } },
      NewImage: {
        id: { S: 'a' },
        n: { N: '2' },
        blob: { B: new Uint8Array([1, 2, 3]) },
        tags: { SS: ['x', 'y'] },
        nested: { M: { list: { L: [{ BOOL: true }, { NULL: true }, { BS: [new Uint8Array([255])] }] } } },
      },
      OldImage: { id: { S: 'a' }, n: { N: '1' } },
      SequenceNumber: '000000000000000000042',
      SizeBytes: 40,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
    ...overrides,
  };
}

describe('toLambdaRecord', () => {
  it('gives the record Lambda would: epoch seconds, base64 binaries, the table region and the stream ARN', () => {
    const record = toLambdaRecord(sdkRecordFactory(), {
      streamArn: 'arn:aws:dynamodb:ddblocal:000000000000:table/T/stream/x',
      region: 'us-east-1',
    });

    expect(record).toEqual({
      eventID: 'e-1',
      eventName: 'MODIFY',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'us-east-1',
      eventSourceARN: 'arn:aws:dynamodb:ddblocal:000000000000:table/T/stream/x',
      dynamodb: {
        ApproximateCreationDateTime: 1735787045,
        Keys: { id: { S: 'a' } },
        NewImage: {
          id: { S: 'a' },
          n: { N: '2' },
          blob: { B: 'AQID' },
          tags: { SS: ['x', 'y'] },
          nested: { M: { list: { L: [{ BOOL: true }, { NULL: true }, { BS: ['/w=='] }] } } },
        },
        OldImage: { id: { S: 'a' }, n: { N: '1' } },
        SequenceNumber: '000000000000000000042',
        SizeBytes: 40,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    });
  });

  it('carries the identity of TTL deletions', () => {
    const record = toLambdaRecord(
      sdkRecordFactory({ eventName: 'REMOVE', userIdentity: { Type: 'Service', PrincipalId: 'dynamodb.amazonaws.com' } }),
      {
        streamArn: 'arn',
        region: 'us-east-1',
      },
    );
    expect(record.userIdentity).toEqual({ type: 'Service', principalId: 'dynamodb.amazonaws.com' });
  });
});
